{#- One row per (patient_id, lesion_id, assessment_date) with a valid date: a reading whose
    key occurs once, or the collapsed readings of a duplicated key (conflicting: value NULL). -#}

with readings as (
    {{ deduplicated_rows('measurements') }}
),

resolved as (
    select
        patient_id,
        lesion_id,
        assessment_date,
        n_input_rows,
        is_conflicting,
        case when not is_conflicting then diameter_mm end as diameter_mm
    from readings
)

select * from resolved
