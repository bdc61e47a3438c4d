{#- One row per patient of patients.csv and reader: its counts and whether it is eligible, with the
    first exclusion reason in the study's order. -#}

with patients as (
    select * from {{ ref('int_patients_deduplicated') }}
),

target_counts as (
    select reader_key, patient_id, count(*) as n_target_lesions
    from {{ ref('int_target_lesions_baselined') }}
    where is_in_target_set
    group by reader_key, patient_id
),

evaluation_counts as (
    select
        reader_key,
        patient_id,
        count(*) as n_dates,
        count(case when is_post_baseline then 1 end) as n_post_baseline_evaluations
    from {{ ref('int_evaluation_dates_collected') }}
    group by reader_key, patient_id
),

counted as (
    select
        baselines.reader_key,
        patients.patient_id,
        baselines.baseline_date,
        patients.exclusion_reason as input_exclusion_reason,
        coalesce(target_counts.n_target_lesions, 0) as n_target_lesions,
        coalesce(evaluation_counts.n_post_baseline_evaluations, 0) as n_post_baseline_evaluations,
        case
            when baselines.baseline_date is null then coalesce(evaluation_counts.n_dates, 0)
            else 1 + coalesce(evaluation_counts.n_post_baseline_evaluations, 0)
        end as n_evaluations
    from patients
    inner join {{ ref('int_patient_baselines_found') }} as baselines
        on patients.patient_id = baselines.patient_id
    left join target_counts
        on baselines.patient_id = target_counts.patient_id
        and baselines.reader_key = target_counts.reader_key
    left join evaluation_counts
        on baselines.patient_id = evaluation_counts.patient_id
        and baselines.reader_key = evaluation_counts.reader_key
),

assessed as (
    select
        reader_key,
        patient_id,
        baseline_date,
        n_target_lesions,
        n_post_baseline_evaluations,
        n_evaluations,
        case
            when input_exclusion_reason is not null then input_exclusion_reason
            when baseline_date is null then 'no_baseline_assessment'
            when n_target_lesions < {{ var('min_target_lesions') }} then 'fewer_than_two_target_lesions'
            when n_post_baseline_evaluations = 0 then 'no_follow_up_assessment'
        end as exclusion_reason
    from counted
)

select
    *,
    exclusion_reason is null as eligible
from assessed
