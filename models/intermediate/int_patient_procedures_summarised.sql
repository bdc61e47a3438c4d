{#- One row per patient with a prior procedure: the patient-level radiotherapy counts of
    Table 1 (of the primary, of a metastasis, within the recent window). -#}

with prior_radiotherapy as (
    select * from {{ ref('int_procedures_classified') }}
    where is_known_patient and is_prior and procedure = 'radiotherapy'
),

summarised as (
    select
        patient_id,
        count(*) as n_prior_radiotherapy,
        count(case when target = 'primary' then 1 end) as n_prior_radiotherapy_primary,
        count(case when target = 'metastasis' then 1 end) as n_prior_radiotherapy_metastasis,
        count(case when days_before_inclusion < {{ setting_days('recent_radiotherapy_days') }} then 1 end) > 0
            as any_recent_radiotherapy
    from prior_radiotherapy
    group by patient_id
)

select * from summarised
