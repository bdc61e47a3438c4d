{#- One row per (patient_id, lesion_id, assessment_date) with a valid date: identical
    readings count once, conflicting readings are not evaluable (value NULL). -#}

with reading_rows as (
    select * from {{ ref('stg_measurements') }}
    where patient_id is not null and lesion_id is not null and assessment_date is not null
),

collapsed as (
    {{ collapse_duplicate_rows('reading_rows', ['patient_id', 'lesion_id', 'assessment_date'],
                               ['diameter_mm', 'status']) }}
),

resolved as (
    select
        patient_id,
        lesion_id,
        assessment_date,
        n_input_rows,
        is_conflicting,
        case when not is_conflicting then diameter_mm end as diameter_mm
    from collapsed
)

select * from resolved
