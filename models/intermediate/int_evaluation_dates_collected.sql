{#- One row per tumour evaluation (reader, patient, date) of a known patient: a date with a
    reading of a target-set lesion by the reader, a row of the reader's in assessments.csv or
    a row in new_lesions.csv (int_*_assigned: with the rows given without a reader). Readings
    left out of the target set create no date, except for a patient without a baseline,
    whose readings all count. -#}

with target_readings as (
    select readings.reader_key, readings.patient_id, readings.assessment_date
    from {{ ref('int_measurements_deduplicated') }} as readings
    inner join {{ ref('int_target_lesions_baselined') }} as lesions
        on readings.patient_id = lesions.patient_id
        and readings.lesion_id = lesions.lesion_id
        and readings.reader_key = lesions.reader_key
    where lesions.is_in_target_set or lesions.baseline_date is null
),

assessed as (
    select assessments.reader_key, assessments.patient_id, assessments.assessment_date
    from {{ ref('int_assessments_assigned') }} as assessments
    inner join {{ ref('int_patients_deduplicated') }} as patients
        on assessments.patient_id = patients.patient_id
),

new_lesion_scans as (
    select new_lesions.reader_key, new_lesions.patient_id, new_lesions.assessment_date
    from {{ ref('int_new_lesions_assigned') }} as new_lesions
    inner join {{ ref('int_patients_deduplicated') }} as patients
        on new_lesions.patient_id = patients.patient_id
),

evaluation_dates as (
    select reader_key, patient_id, assessment_date from target_readings
    union
    select reader_key, patient_id, assessment_date from assessed
    union
    select reader_key, patient_id, assessment_date from new_lesion_scans
),

classified as (
    select
        evaluation_dates.reader_key,
        evaluation_dates.patient_id,
        evaluation_dates.assessment_date,
        baselines.baseline_date,
        evaluation_dates.assessment_date > baselines.baseline_date as is_post_baseline,
        {{ dbt.datediff('baselines.inclusion_date', 'evaluation_dates.assessment_date', 'day') }} as days_from_inclusion
    from evaluation_dates
    inner join {{ ref('int_patient_baselines_found') }} as baselines
        on evaluation_dates.patient_id = baselines.patient_id
        and evaluation_dates.reader_key = baselines.reader_key
),

numbered as (
    select
        *,
        case when is_post_baseline then
            row_number() over (partition by reader_key, patient_id, is_post_baseline order by assessment_date)
        end as evaluation_number
    from classified
)

select * from numbered
