{#- One row per post-baseline evaluation of an eligible patient: what the draws keep as
    observed (date, new lesions, non-target response) and the observed responses. -#}
with evaluations as (
    select * from {{ built_mart('fct_evaluations') }}
),

patients as (
    select * from {{ ref('int_robustness_patients_keyed') }}
),

keyed as (
    select
        patients.patient_key,
        evaluations.patient_id,
        evaluations.assessment_date,
        evaluations.days_from_inclusion,
        evaluations.new_lesions,
        evaluations.non_target_response,
        evaluations.overall_response,
        evaluations.dr_type
    from evaluations
    inner join patients on evaluations.patient_id = patients.patient_id
)

select * from keyed
