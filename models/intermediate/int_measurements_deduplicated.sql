{#- One row per (patient_id, lesion_id, assessment_date) with a valid date: identical
    readings count once, conflicting readings are not evaluable (value NULL). -#}

with reading_rows as (
    select * from {{ ref('stg_measurements') }}
    where patient_id is not null and lesion_id is not null and assessment_date is not null
),

collapsed as (
    select
        patient_id,
        lesion_id,
        assessment_date,
        count(*) as n_input_rows,
        {{ values_agree('diameter_mm') }} and {{ values_agree('status') }} as is_consistent,
        max(diameter_mm) as any_diameter_mm
    from reading_rows
    group by patient_id, lesion_id, assessment_date
),

resolved as (
    select
        patient_id,
        lesion_id,
        assessment_date,
        n_input_rows,
        not is_consistent as is_conflicting,
        case when is_consistent then any_diameter_mm end as diameter_mm
    from collapsed
)

select * from resolved
