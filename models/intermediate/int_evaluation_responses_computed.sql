{#- One row per reader x post-baseline evaluation of a patient eligible for that reader: the
    target sums (at the evaluation, at baseline and the nadir), the lesions' responses counted,
    the target, non-target and overall responses and the DR type. fct_evaluations_by_reader
    gives it; the patients' best responses, confirmed responses and iRECIST are computed from it. -#}

with lesion_responses as (
    select * from {{ ref('int_lesion_responses_computed') }}
),

assessments as (
    select * from {{ ref('int_evaluations_assessed') }}
),

summed as (
    select
        reader_key,
        patient_id,
        assessment_date,
        {#- one value per evaluation: taken by max() rather than grouped by, a cheaper hash key -#}
        max(evaluation_number) as evaluation_number,
        max(days_from_inclusion) as days_from_inclusion,
        {{ target_lesions_tallied() }}
    from lesion_responses
    group by reader_key, patient_id, assessment_date
),

with_nadir as (
    select
        *,
        {#- only evaluations where every target lesion has a value enter the nadir sum -#}
        {{ running_nadir('case when n_with_value = n_target_lesions then sum_mm end', 'baseline_sum_mm', ['reader_key', 'patient_id']) }}
            as nadir_sum_mm
    from summed
),

target_responded as (
    select
        *,
        {{ target_sum_response('n_cr', 'n_target_lesions', 'n_with_value', 'sum_mm', 'nadir_sum_mm', 'baseline_sum_mm') }}
            as target_response
    from with_nadir
),

overall_responded as (
    select
        target_responded.*,
        assessments.new_lesions,
        assessments.non_target_response,
        {{ overall_response('target_response', 'assessments.non_target_response', 'assessments.new_lesions') }} as overall_response
    from target_responded
    inner join assessments
        on target_responded.patient_id = assessments.patient_id
        and target_responded.assessment_date = assessments.assessment_date
        and target_responded.reader_key = assessments.reader_key
),

dr_typed as (
    select
        *,
        {{ dissociated_response_type('n_pd', 'n_cr + n_pr', 'n_sd') }} as dr_type
    from overall_responded
)

select * from dr_typed
