{#- One row per tumour evaluation (patient, date; of any reader) dated after the patient's death_date (a
    death date before inclusion is already missing): reported, and kept, since the error may
    be the death date. -#}

with evaluations as (
    select * from {{ ref('int_evaluation_dates_collected') }}
),

patients as (
    select * from {{ ref('int_patients_deduplicated') }}
),

after_death as (
    select distinct
        evaluations.patient_id,
        evaluations.assessment_date,
        patients.death_date
    from evaluations
    inner join patients
        on evaluations.patient_id = patients.patient_id
    where evaluations.assessment_date > patients.death_date
)

select * from after_death
