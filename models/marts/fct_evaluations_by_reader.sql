with evaluations as (
    select * from {{ ref('int_evaluation_responses_computed') }}
),

final as (
    select
        cast(nullif(reader_key, '') as {{ dbt.type_string() }}) as reader,
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(assessment_date as date) as assessment_date,
        cast(evaluation_number as integer) as evaluation_number,
        cast(days_from_inclusion as integer) as days_from_inclusion,
        cast(sum_mm as decimal(12, 2)) as sum_mm,
        cast(baseline_sum_mm as decimal(12, 2)) as baseline_sum_mm,
        cast(nadir_sum_mm as decimal(12, 2)) as nadir_sum_mm,
        cast(target_response as {{ dbt.type_string() }}) as target_response,
        cast(non_target_response as {{ dbt.type_string() }}) as non_target_response,
        cast(new_lesions as {{ dbt.type_string() }}) as new_lesions,
        cast(overall_response as {{ dbt.type_string() }}) as overall_response,
        cast(n_cr as integer) as n_cr,
        cast(n_pr as integer) as n_pr,
        cast(n_sd as integer) as n_sd,
        cast(n_pd as integer) as n_pd,
        cast(n_ne as integer) as n_ne,
        cast(dr_type as {{ dbt.type_string() }}) as dr_type
    from evaluations
)

select * from final
