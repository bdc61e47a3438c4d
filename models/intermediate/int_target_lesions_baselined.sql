{#- One row per target lesion of a known patient and reader, with its baseline value for
    that reader. It belongs to the reader's target set when it has a value at the patient's
    baseline evaluation. -#}

with target_lesions as (
    select patient_id, lesion_id, site, site_group, is_lymph_node
    from {{ ref('int_lesions_deduplicated') }}
    where role = 'target' and is_known_patient
),

baselined as (
    select
        baselines.reader_key,
        target_lesions.*,
        baselines.baseline_date,
        readings.diameter_mm as baseline_mm,
        readings.diameter_mm is not null as is_in_target_set
    from target_lesions
    inner join {{ ref('int_patient_baselines_found') }} as baselines
        on target_lesions.patient_id = baselines.patient_id
    left join {{ ref('int_measurements_deduplicated') }} as readings
        on target_lesions.patient_id = readings.patient_id
        and target_lesions.lesion_id = readings.lesion_id
        and baselines.baseline_date = readings.assessment_date
        and baselines.reader_key = readings.reader_key
)

select * from baselined
