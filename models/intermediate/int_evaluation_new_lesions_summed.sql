{#- One row per post-baseline evaluation (of the chosen reader: iRECIST is the chosen reader's,
    docs/readers.md) of an eligible patient with new lesions (a row in
    new_lesions.csv, or new lesions `yes` in assessments.csv only): how many new lesions are
    seen, how many appear for the first time, and the sum of the measured new lesions
    (int_new_lesions_measured) that have a value there. New lesions given only as `yes` in
    assessments.csv count as one lesion `(unlisted)`, first seen at the first such date. -#}

with evaluations as (
    select patient_id, assessment_date, new_lesions
    from ({{ chosen_reader_rows(ref('int_evaluations_assessed')) }}) as assessed
),

listed as (
    select
        readings.patient_id,
        readings.assessment_date,
        readings.lesion_id,
        case when lesions.is_summed then readings.diameter_mm end as summed_mm
    from ({{ chosen_reader_rows(ref('int_new_lesions_assigned')) }}) as readings
    inner join {{ ref('int_new_lesions_measured') }} as lesions
        on readings.patient_id = lesions.patient_id
        and readings.lesion_id = lesions.lesion_id
    inner join evaluations
        on readings.patient_id = evaluations.patient_id
        and readings.assessment_date = evaluations.assessment_date
),

unlisted as (
    select
        evaluations.patient_id,
        evaluations.assessment_date,
        '(unlisted)' as lesion_id,
        cast(null as decimal(9, 2)) as summed_mm
    from evaluations
    left join (select distinct patient_id, assessment_date from listed) as listed_dates
        on evaluations.patient_id = listed_dates.patient_id
        and evaluations.assessment_date = listed_dates.assessment_date
    where evaluations.new_lesions = 'yes' and listed_dates.patient_id is null
),

seen as (
    select
        *,
        min(assessment_date) over (partition by patient_id, lesion_id) as first_seen_date
    from (
        select * from listed
        union all
        select * from unlisted
    ) as all_new_lesions
),

summed as (
    select
        patient_id,
        assessment_date,
        count(*) as n_new_lesions,
        count(case when assessment_date = first_seen_date then 1 end) as n_appearing,
        sum(summed_mm) as new_lesion_sum_mm
    from seen
    group by patient_id, assessment_date
)

select * from summed
