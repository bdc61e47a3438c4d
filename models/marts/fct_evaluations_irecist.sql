with irecist_responses as (
    select * from {{ ref('int_evaluation_irecist_responses_computed') }}
),

final as (
    select
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(assessment_date as date) as assessment_date,
        cast(evaluation_number as integer) as evaluation_number,
        cast(days_from_inclusion as integer) as days_from_inclusion,
        cast(target_response as {{ dbt.type_string() }}) as target_response,
        cast(non_target_response as {{ dbt.type_string() }}) as non_target_response,
        cast(non_target_increase as {{ dbt.type_string() }}) as non_target_increase,
        cast(new_lesions as {{ dbt.type_string() }}) as new_lesions,
        cast(n_new_lesions as integer) as n_new_lesions,
        cast(new_lesion_sum_mm as decimal(12, 2)) as new_lesion_sum_mm,
        cast(sum_mm as decimal(12, 2)) as sum_mm,
        cast(overall_response as {{ dbt.type_string() }}) as overall_response,
        cast(recist_overall_response as {{ dbt.type_string() }}) as recist_overall_response,
        cast(iupd_date as date) as iupd_date,
        cast(target_sum_increased as boolean) as target_sum_increased,
        cast(non_target_increased as boolean) as non_target_increased,
        cast(new_lesion_sum_increased as boolean) as new_lesion_sum_increased,
        cast(new_lesion_appeared as boolean) as new_lesion_appeared,
        cast(confirms_icpd as boolean) as confirms_icpd,
        cast(resets_iupd as boolean) as resets_iupd
    from irecist_responses
)

select * from final
