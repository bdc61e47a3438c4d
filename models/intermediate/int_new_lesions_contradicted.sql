{#- One row per evaluation (reader, patient, date) where assessments.csv says new_lesions `no` but new_lesions.csv
    has rows (the contract: a conflicting_duplicate; new lesions `yes` wins). -#}

with new_lesion_dates as (
    select reader_key, patient_id, assessment_date, count(*) as n_new_lesions
    from {{ ref('int_new_lesions_assigned') }}
    group by reader_key, patient_id, assessment_date
),

contradicted as (
    select
        assessments.reader_key,
        assessments.patient_id,
        assessments.assessment_date,
        new_lesion_dates.n_new_lesions
    from {{ ref('int_assessments_assigned') }} as assessments
    inner join new_lesion_dates
        on assessments.reader_key = new_lesion_dates.reader_key
        and assessments.patient_id = new_lesion_dates.patient_id
        and assessments.assessment_date = new_lesion_dates.assessment_date
    where assessments.new_lesions = 'no'
)

select * from contradicted
