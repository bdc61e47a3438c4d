{#- One row per draw x eligible patient: best overall response and DR type of the draw. -#}
with evaluations as (
    select * from {{ ref('int_robustness_evaluations_redrawn') }}
),

best_responses as (
    {{ best_response(ref('int_robustness_evaluations_redrawn'), ['draw', 'patient_key'], 'overall_response') }}
),

dr_types as (
    select
        draw,
        patient_key,
        min(case dr_type when 'DR1' then 1 when 'DR2' then 2 when 'DR3' then 3 end) as dr_rank
    from evaluations
    group by draw, patient_key
),

final as (
    select
        dr_types.draw,
        dr_types.patient_key,
        best_responses.best_response as best_overall_response,
        case dr_types.dr_rank when 1 then 'DR1' when 2 then 'DR2' when 3 then 'DR3' end as dr_type
    from dr_types
    inner join best_responses
        on dr_types.draw = best_responses.draw
        and dr_types.patient_key = best_responses.patient_key
)

select * from final
