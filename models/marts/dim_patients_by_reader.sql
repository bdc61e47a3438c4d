{#- The confirmed best response and iRECIST columns are the chosen reader's (NULL on the other
    readers' rows): those models read the chosen reader's evaluations (docs/readers.md). -#}

with patients as (
    select * from {{ ref('int_patients_deduplicated') }}
),

eligibility as (
    select eligibility.*, readers.is_chosen
    from {{ ref('int_patients_eligibility_assessed') }} as eligibility
    inner join {{ ref('int_readers_listed') }} as readers
        on eligibility.reader_key = readers.reader_key
),

evaluation_summaries as (
    select * from {{ ref('int_patient_evaluations_summarised') }}
),

confirmed_responses as (
    select * from {{ ref('int_patient_responses_confirmed') }}
),

irecist as (
    select * from {{ ref('int_patient_irecist_summarised') }}
),

target_lesion_flags as (
    {#- over the reader's target set of an eligible patient, as dim_target_lesions gives it -#}
    select
        lesions.reader_key,
        lesions.patient_id,
        count(case when lesions.is_lymph_node then 1 end) > 0 as has_lymph_node_tl,
        count(case when procedures.prior_radiotherapy then 1 end) > 0 as has_irradiated_tl,
        count(case when procedures.prior_biopsy then 1 end) > 0 as has_biopsied_tl
    from {{ ref('int_target_lesions_baselined') }} as lesions
    inner join eligibility
        on lesions.patient_id = eligibility.patient_id
        and lesions.reader_key = eligibility.reader_key
    left join {{ ref('int_target_lesion_procedures_summarised') }} as procedures
        on lesions.patient_id = procedures.patient_id
        and lesions.lesion_id = procedures.lesion_id
    where lesions.is_in_target_set and eligibility.eligible
    group by lesions.reader_key, lesions.patient_id
),

outcomes as (
    select
        summaries.reader_key,
        patients.patient_id,
        patients.inclusion_date,
        summaries.best_overall_response,
        coalesce(least(summaries.first_progression_date, patients.death_date),
                 summaries.last_evaluable_date, patients.inclusion_date) as pfs_date,
        summaries.first_progression_date is not null or patients.death_date is not null as pfs_event,
        coalesce(patients.death_date,
                 greatest(patients.last_contact_date, summaries.last_evaluation_date),
                 summaries.last_evaluation_date, patients.inclusion_date) as os_date,
        patients.death_date is not null as os_event,
        summaries.dr_type
    from patients
    inner join evaluation_summaries as summaries on patients.patient_id = summaries.patient_id
),

final as (
    select
        cast(nullif(eligibility.reader_key, '') as {{ dbt.type_string() }}) as reader,
        cast(patients.patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(eligibility.eligible as boolean) as eligible,
        cast(eligibility.exclusion_reason as {{ dbt.type_string() }}) as exclusion_reason,
        cast(outcomes.best_overall_response as {{ dbt.type_string() }}) as best_overall_response,
        cast(case when eligibility.eligible then outcomes.best_overall_response in ('CR', 'PR') end as boolean)
            as objective_response,
        cast(outcomes.dr_type as {{ dbt.type_string() }}) as dr_type,
        cast({{ dbt.datediff('patients.inclusion_date', 'outcomes.pfs_date', 'day') }} as integer) as pfs_days,
        cast(outcomes.pfs_event as boolean) as pfs_event,
        cast(round({{ divide(dbt.datediff('patients.inclusion_date', 'outcomes.pfs_date', 'day'),
                             setting('days_per_month')) }}, 4) as decimal(12, 4)) as pfs_months,
        cast({{ dbt.datediff('patients.inclusion_date', 'outcomes.os_date', 'day') }} as integer) as os_days,
        cast(outcomes.os_event as boolean) as os_event,
        cast(round({{ divide(dbt.datediff('patients.inclusion_date', 'outcomes.os_date', 'day'),
                             setting('days_per_month')) }}, 4) as decimal(12, 4)) as os_months,
        cast(eligibility.n_target_lesions as integer) as n_target_lesions,
        cast(eligibility.n_evaluations as integer) as n_evaluations,
        cast(eligibility.n_post_baseline_evaluations as integer) as n_post_baseline_evaluations,
        cast(patients.inclusion_date as date) as inclusion_date,
        cast(eligibility.baseline_date as date) as baseline_date,
        cast(patients.study_id as {{ dbt.type_string() }}) as study_id,
        cast(patients.sex as {{ dbt.type_string() }}) as sex,
        cast(patients.age as integer) as age,
        cast(patients.primary_tumor as {{ dbt.type_string() }}) as primary_tumor,
        cast(patients.prior_lines as integer) as prior_lines,
        cast(patients.regimen as {{ dbt.type_string() }}) as regimen,
        cast(round({{ divide(dbt.datediff('patients.metastatic_diagnosis_date', 'patients.inclusion_date', 'day'),
                             setting('days_per_month')) }}, 4) as decimal(12, 4)) as months_metastatic_to_ici,
        cast(patients.treatment_end_date as date) as treatment_end_date,
        cast(patients.last_contact_date as date) as last_contact_date,
        cast(patients.death_date as date) as death_date,
        cast(coalesce(procedures.n_prior_radiotherapy_primary, 0) as integer) as n_prior_radiotherapy_primary,
        cast(coalesce(procedures.n_prior_radiotherapy_metastasis, 0) as integer) as n_prior_radiotherapy_metastasis,
        cast(coalesce(procedures.any_recent_radiotherapy, false) as boolean) as any_recent_radiotherapy,
        cast(flags.has_lymph_node_tl as boolean) as has_lymph_node_tl,
        cast(flags.has_irradiated_tl as boolean) as has_irradiated_tl,
        cast(flags.has_biopsied_tl as boolean) as has_biopsied_tl,
        cast(confirmed_responses.confirmed_best_response as {{ dbt.type_string() }}) as confirmed_best_overall_response,
        cast(case when eligibility.eligible then confirmed_responses.confirmed_best_response in ('CR', 'PR') end as boolean)
            as confirmed_objective_response,
        cast(case when eligibility.eligible then confirmed_responses.confirmed_best_response in ('CR', 'PR', 'SD') end as boolean)
            as disease_control,
        cast(confirmed_responses.first_confirmed_response_date as date) as response_start_date,
        cast({{ dbt.datediff('confirmed_responses.first_confirmed_response_date', 'outcomes.pfs_date', 'day') }} as integer)
            as duration_of_response_days,
        cast(case when confirmed_responses.first_confirmed_response_date is not null then outcomes.pfs_event end as boolean)
            as duration_of_response_event,
        cast(case when confirmed_responses.confirmed_best_response = 'SD'
            then {{ dbt.datediff('patients.inclusion_date', 'outcomes.pfs_date', 'day') }} end as integer)
            as duration_of_sd_days,
        cast(case when confirmed_responses.confirmed_best_response = 'SD' then outcomes.pfs_event end as boolean)
            as duration_of_sd_event,
        cast(irecist.best_overall_response as {{ dbt.type_string() }}) as irecist_best_overall_response,
        cast(irecist.first_iupd_date as date) as irecist_first_iupd_date,
        cast(irecist.icpd_date as date) as irecist_icpd_date,
        cast({{ dbt.datediff('patients.inclusion_date', 'irecist.pfs_date', 'day') }} as integer) as irecist_pfs_days,
        cast(irecist.pfs_event as boolean) as irecist_pfs_event
    from patients
    inner join eligibility on patients.patient_id = eligibility.patient_id
    left join outcomes
        on eligibility.patient_id = outcomes.patient_id
        and eligibility.reader_key = outcomes.reader_key
        and eligibility.eligible
    left join confirmed_responses
        on eligibility.patient_id = confirmed_responses.patient_id
        and eligibility.is_chosen
    left join irecist
        on eligibility.patient_id = irecist.patient_id
        and eligibility.eligible
        and eligibility.is_chosen
    left join {{ ref('int_patient_procedures_summarised') }} as procedures
        on patients.patient_id = procedures.patient_id
    left join target_lesion_flags as flags
        on eligibility.patient_id = flags.patient_id
        and eligibility.reader_key = flags.reader_key
)

select * from final
