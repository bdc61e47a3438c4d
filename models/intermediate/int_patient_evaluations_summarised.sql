{#- One row per reader x patient eligible for that reader with a post-baseline evaluation:
    the best overall response (macro best_response), the first PD, the last evaluation that
    is not NE, the last evaluation, and the highest DR type of its evaluations (DR1 > DR2 >
    DR3), from which dim_patients_by_reader takes the outcomes. -#}

with evaluations as (
    select * from {{ ref('int_evaluation_responses_computed') }}
),

best_responses as (
    {{ best_response('evaluations', ['reader_key', 'patient_id'], 'overall_response') }}
),

dates_and_dr as (
    select
        reader_key,
        patient_id,
        min(case when overall_response = 'PD' then assessment_date end) as first_progression_date,
        max(case when overall_response <> 'NE' then assessment_date end) as last_evaluable_date,
        max(assessment_date) as last_evaluation_date,
        min(case dr_type when 'DR1' then 1 when 'DR2' then 2 when 'DR3' then 3 end) as dr_rank
    from evaluations
    group by reader_key, patient_id
),

summarised as (
    select
        dates_and_dr.reader_key,
        dates_and_dr.patient_id,
        best_responses.best_response as best_overall_response,
        dates_and_dr.first_progression_date,
        dates_and_dr.last_evaluable_date,
        dates_and_dr.last_evaluation_date,
        case dates_and_dr.dr_rank when 1 then 'DR1' when 2 then 'DR2' when 3 then 'DR3' end as dr_type
    from dates_and_dr
    left join best_responses
        on dates_and_dr.reader_key = best_responses.reader_key
        and dates_and_dr.patient_id = best_responses.patient_id
)

select * from summarised
