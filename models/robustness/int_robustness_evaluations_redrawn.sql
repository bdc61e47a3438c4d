{#- One row per draw x post-baseline evaluation of an eligible patient: the target sums of
    the redrawn readings, target and overall response and DR type by the marts' rules (new
    lesions and non-target response as observed). -#}
with lesion_responses as (
    select * from {{ ref('int_robustness_lesions_redrawn') }}
),

evaluations as (
    select * from {{ ref('int_robustness_evaluations_keyed') }}
),

summed as (
    select
        draw,
        patient_key,
        assessment_date,
        max(evaluation_position) as evaluation_position,
        {{ target_lesions_tallied() }}
    from lesion_responses
    group by draw, patient_key, assessment_date
),

with_nadir as (
    select
        *,
        {{ running_nadir('case when n_with_value = n_target_lesions then sum_mm end', 'baseline_sum_mm',
                         ['patient_key'], order_by='draw, assessment_date', preceding='evaluation_position') }}
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

final as (
    select
        target_responded.draw,
        target_responded.patient_key,
        target_responded.assessment_date,
        evaluations.days_from_inclusion,
        {{ overall_response('target_responded.target_response', 'evaluations.non_target_response',
                            'evaluations.new_lesions') }} as overall_response,
        {{ dissociated_response_type('n_pd', 'n_cr + n_pr', 'n_sd') }} as dr_type
    from target_responded
    inner join evaluations
        on target_responded.patient_key = evaluations.patient_key
        and target_responded.assessment_date = evaluations.assessment_date
)

select * from final
