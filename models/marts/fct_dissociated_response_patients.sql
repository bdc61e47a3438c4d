with assessed as (
    select * from {{ ref('fct_dissociated_response') }}
),

summarised as (
    select
        patient_id,
        definition,
        count(case when is_dissociated then 1 end) > 0 as is_dissociated,
        min(case dr_type when 'DR1' then 1 when 'DR2' then 2 when 'DR3' then 3 end) as dr_rank,
        min(case when is_dissociated then assessment_date end) as first_dr_date,
        count(*) as n_evaluations_assessed,
        count(case when is_dissociated then 1 end) as n_dr_evaluations,
        count(case when overall_response = 'PD' then 1 end) > 0 as has_progression
    from assessed
    group by patient_id, definition
),

final as (
    select
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(definition as {{ dbt.type_string() }}) as definition,
        cast(is_dissociated as boolean) as is_dissociated,
        cast(case dr_rank when 1 then 'DR1' when 2 then 'DR2' when 3 then 'DR3' end as {{ dbt.type_string() }}) as dr_type,
        cast(first_dr_date as date) as first_dr_date,
        cast(n_evaluations_assessed as integer) as n_evaluations_assessed,
        cast(n_dr_evaluations as integer) as n_dr_evaluations,
        cast(case
            when is_dissociated then 'DR'
            when has_progression then 'concordant_PD'
            else 'other'
        end as {{ dbt.type_string() }}) as comparison_group
    from summarised
)

select * from final
