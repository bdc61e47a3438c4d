with assessed as (
    select * from {{ ref('int_evaluation_dr_definitions_assessed') }}
),

final as (
    select
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(assessment_date as date) as assessment_date,
        cast(evaluation_number as integer) as evaluation_number,
        cast(definition as {{ dbt.type_string() }}) as definition,
        cast(coalesce(is_dissociated, false) as boolean) as is_dissociated,
        cast(dr_type as {{ dbt.type_string() }}) as dr_type,
        cast(worse_side as {{ dbt.type_string() }}) as worse_side,
        cast(better_side as {{ dbt.type_string() }}) as better_side,
        cast(overall_response as {{ dbt.type_string() }}) as overall_response
    from assessed
)

select * from final
