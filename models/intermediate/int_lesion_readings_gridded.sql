{#- One row per reader x target-set lesion x post-baseline evaluation of a patient eligible
    for that reader, with the lesion's baseline value and the reader's value at that
    evaluation (NULL when there is no reading or it has no value). -#}

with eligible_patients as (
    select reader_key, patient_id from {{ ref('int_patients_eligibility_assessed') }}
    where eligible
),

target_set as (
    select lesions.reader_key, lesions.patient_id, lesions.lesion_id, lesions.is_lymph_node, lesions.baseline_mm
    from {{ ref('int_target_lesions_baselined') }} as lesions
    inner join eligible_patients
        on lesions.patient_id = eligible_patients.patient_id
        and lesions.reader_key = eligible_patients.reader_key
    where lesions.is_in_target_set
),

post_baseline_evaluations as (
    select reader_key, patient_id, assessment_date, evaluation_number, days_from_inclusion
    from {{ ref('int_evaluation_dates_collected') }}
    where is_post_baseline
),

gridded as (
    select
        target_set.reader_key,
        target_set.patient_id,
        target_set.lesion_id,
        evaluations.assessment_date,
        evaluations.evaluation_number,
        evaluations.days_from_inclusion,
        target_set.is_lymph_node,
        target_set.baseline_mm,
        readings.diameter_mm
    from target_set
    inner join post_baseline_evaluations as evaluations
        on target_set.patient_id = evaluations.patient_id
        and target_set.reader_key = evaluations.reader_key
    left join {{ ref('int_measurements_deduplicated') }} as readings
        on target_set.patient_id = readings.patient_id
        and target_set.lesion_id = readings.lesion_id
        and evaluations.assessment_date = readings.assessment_date
        and target_set.reader_key = readings.reader_key
)

select * from gridded
