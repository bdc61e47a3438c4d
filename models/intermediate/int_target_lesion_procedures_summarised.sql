{#- One row per target lesion named by a prior procedure: whether it was irradiated or
    biopsied before inclusion, and when its radiotherapy ended. -#}

with prior_procedures as (
    select * from {{ ref('int_procedures_classified') }}
    where is_known_patient and is_prior and lesion_id is not null
),

summarised as (
    select
        patient_id,
        lesion_id,
        count(case when procedure = 'radiotherapy' then 1 end) > 0 as prior_radiotherapy,
        count(case when procedure = 'biopsy' then 1 end) > 0 as prior_biopsy,
        count(case when procedure = 'radiotherapy'
                    and days_before_inclusion < {{ setting_days('recent_radiotherapy_days') }} then 1 end) > 0
            as has_recent_radiotherapy,
        count(case when procedure = 'radiotherapy' and procedure_date is null then 1 end) > 0
            as has_undated_radiotherapy
    from prior_procedures
    group by patient_id, lesion_id
),

timed as (
    select
        patient_id,
        lesion_id,
        prior_radiotherapy,
        prior_biopsy,
        case
            when has_recent_radiotherapy then 'recent'
            when has_undated_radiotherapy then 'unknown'
            when prior_radiotherapy then 'remote'
            else 'never'
        end as radiotherapy_timing
    from summarised
)

select * from timed
