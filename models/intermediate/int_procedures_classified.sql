{#- One row per procedures.csv row with a valid procedure code and date: whether its patient
    and lesion are known, whether it was before inclusion (prior; no date = before, date
    unknown) and how many days before. -#}

with procedures as (
    select * from {{ ref('stg_procedures') }}
    where patient_id is not null
        and procedure is not null
        and procedure_date_text is null
),

classified as (
    select
        procedures.patient_id,
        procedures.procedure,
        procedures.procedure_date,
        procedures.lesion_id,
        procedures.target,
        patients.patient_id is not null as is_known_patient,
        lesions.lesion_id is not null as is_known_lesion,
        {{ dbt.datediff('procedures.procedure_date', 'patients.inclusion_date', 'day') }} as days_before_inclusion,
        procedures.procedure_date is null or procedures.procedure_date < patients.inclusion_date as is_prior
    from procedures
    left join {{ ref('int_patients_deduplicated') }} as patients
        on procedures.patient_id = patients.patient_id
    left join {{ ref('int_lesions_deduplicated') }} as lesions
        on procedures.patient_id = lesions.patient_id
        and procedures.lesion_id = lesions.lesion_id
)

select * from classified
