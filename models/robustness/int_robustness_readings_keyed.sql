{#- One row per target lesion x post-baseline evaluation of an eligible patient: the
    observed reading and its baseline with integer keys, the hashes of their keys and the
    SD of their error, computed once for every draw. -#}
with measurements as (
    select * from {{ built_mart('fct_lesion_measurements') }}
),

patients as (
    select * from {{ ref('int_robustness_patients_keyed') }}
),

keyed as (
    select
        patients.patient_key,
        dense_rank() over (order by measurements.patient_id, measurements.lesion_id) as lesion_key,
        measurements.assessment_date,
        cast(row_number() over (partition by measurements.patient_id, measurements.lesion_id
                                order by measurements.assessment_date) - 1 as integer) as lesion_position,
        cast(dense_rank() over (partition by measurements.patient_id
                                order by measurements.assessment_date) - 1 as integer) as evaluation_position,
        measurements.lymph_node,
        measurements.diameter_mm,
        measurements.baseline_mm,
        {{ key_hash(['measurements.patient_id', 'measurements.lesion_id', 'measurements.assessment_date']) }} as reading_hash,
        {{ key_hash(['measurements.patient_id', 'measurements.lesion_id', 'patients.baseline_date']) }} as baseline_hash,
        {{ log_error_sd('measurements.diameter_mm') }} as reading_log_sd,
        {{ log_error_sd('measurements.baseline_mm') }} as baseline_log_sd
    from measurements
    inner join patients on measurements.patient_id = patients.patient_id
)

select * from keyed
