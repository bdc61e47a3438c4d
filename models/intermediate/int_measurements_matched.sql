{#- One row per (patient_id, lesion_id, assessment_date, reader) reading key whose patient or lesion
    is unknown or whose lesion is a non-target lesion, with what its patient and lesion are.
    Feeds data_issues; only these keys are kept (a clean 1M-patient input has none, where
    every reading key would be 11 million rows written for nothing). -#}

with readings as (
    select reader_key, patient_id, lesion_id, assessment_date from {{ ref('int_measurements_deduplicated') }}
),

matched as (
    select
        readings.reader_key,
        readings.patient_id,
        readings.lesion_id,
        readings.assessment_date,
        patients.patient_id is not null as is_known_patient,
        lesions.lesion_id is not null as is_known_lesion,
        lesions.role
    from readings
    left join {{ ref('int_patients_deduplicated') }} as patients
        on readings.patient_id = patients.patient_id
    left join {{ ref('int_lesions_deduplicated') }} as lesions
        on readings.patient_id = lesions.patient_id
        and readings.lesion_id = lesions.lesion_id
    where patients.patient_id is null or lesions.lesion_id is null or lesions.role = 'non_target'
)

select * from matched
