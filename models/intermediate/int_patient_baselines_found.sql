{#- One row per patient of patients.csv and reader: its baseline evaluation for that reader,
    the latest date on or before inclusion with a reading of one of its target lesions (NULL
    when there is none). -#}

with patients as (
    select patients.patient_id, patients.inclusion_date, readers.reader_key
    from {{ ref('int_patients_deduplicated') }} as patients
    cross join {{ ref('int_readers_listed') }} as readers
),

target_lesions as (
    select patient_id, lesion_id from {{ ref('int_lesions_deduplicated') }}
    where role = 'target' and is_known_patient
),

target_readings as (
    select readings.reader_key, readings.patient_id, readings.assessment_date
    from {{ ref('int_measurements_deduplicated') }} as readings
    inner join target_lesions
        on readings.patient_id = target_lesions.patient_id
        and readings.lesion_id = target_lesions.lesion_id
),

baselines as (
    select
        patients.reader_key,
        patients.patient_id,
        patients.inclusion_date,
        max(target_readings.assessment_date) as baseline_date
    from patients
    left join target_readings
        on patients.patient_id = target_readings.patient_id
        and patients.reader_key = target_readings.reader_key
        and target_readings.assessment_date <= patients.inclusion_date
    group by patients.reader_key, patients.patient_id, patients.inclusion_date
)

select * from baselines
