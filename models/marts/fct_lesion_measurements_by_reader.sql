with responses as (
    select * from {{ ref('int_lesion_responses_computed') }}
),

final as (
    select
        cast(nullif(reader_key, '') as {{ dbt.type_string() }}) as reader,
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(lesion_id as {{ dbt.type_string() }}) as lesion_id,
        cast(assessment_date as date) as assessment_date,
        cast(evaluation_number as integer) as evaluation_number,
        cast(days_from_inclusion as integer) as days_from_inclusion,
        cast(is_lymph_node as boolean) as lymph_node,
        cast(diameter_mm as decimal(9, 2)) as diameter_mm,
        cast(baseline_mm as decimal(9, 2)) as baseline_mm,
        cast(nadir_mm as decimal(9, 2)) as nadir_mm,
        cast({{ percent_change('diameter_mm', 'baseline_mm') }} as decimal(12, 4)) as pct_change_baseline,
        cast({{ percent_change('diameter_mm', 'nadir_mm') }} as decimal(12, 4)) as pct_change_nadir,
        cast(lesion_response as {{ dbt.type_string() }}) as lesion_response
    from responses
)

select * from final
