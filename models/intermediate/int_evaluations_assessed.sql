{#- One row per reader x post-baseline evaluation of a patient eligible for that reader, with
    its new-lesion and non-target assessment (int_assessments_assigned: the reader's own, else
    the one given without a reader). No row in assessments.csv: no new lesions, and
    non-target NE when the patient has non-target lesions (else none). A row in
    new_lesions.csv at the date makes new lesions `yes`, whatever assessments.csv says. -#}

with evaluations as (
    select dates.reader_key, dates.patient_id, dates.assessment_date
    from {{ ref('int_evaluation_dates_collected') }} as dates
    inner join {{ ref('int_patients_eligibility_assessed') }} as patients
        on dates.patient_id = patients.patient_id
        and dates.reader_key = patients.reader_key
    where dates.is_post_baseline and patients.eligible
),

patients_with_non_target_lesions as (
    select distinct patient_id
    from {{ ref('int_lesions_deduplicated') }}
    where role = 'non_target' and is_known_patient
),

new_lesion_dates as (
    select distinct reader_key, patient_id, assessment_date
    from {{ ref('int_new_lesions_assigned') }}
),

assessed as (
    select
        evaluations.reader_key,
        evaluations.patient_id,
        evaluations.assessment_date,
        case
            when new_lesion_dates.patient_id is not null then 'yes'
            when assessments.patient_id is null then 'no'
            else assessments.new_lesions
        end as new_lesions,
        assessments.non_target_increase,
        coalesce(
            assessments.non_target_response,
            case when non_target.patient_id is not null then 'NE' end
        ) as non_target_response
    from evaluations
    left join {{ ref('int_assessments_assigned') }} as assessments
        on evaluations.patient_id = assessments.patient_id
        and evaluations.assessment_date = assessments.assessment_date
        and evaluations.reader_key = assessments.reader_key
    left join patients_with_non_target_lesions as non_target
        on evaluations.patient_id = non_target.patient_id
    left join new_lesion_dates
        on evaluations.patient_id = new_lesion_dates.patient_id
        and evaluations.assessment_date = new_lesion_dates.assessment_date
        and evaluations.reader_key = new_lesion_dates.reader_key
)

select * from assessed
