{#- One row per post-baseline evaluation of an eligible patient: its observed overall
    response and DR type, and the share of draws that keep them. -#}
with draws as (
    select * from {{ ref('int_robustness_evaluations_redrawn') }}
),

observed as (
    select * from {{ ref('int_robustness_evaluations_keyed') }}
),

counted as (
    select
        draws.patient_key,
        draws.assessment_date,
        count(*) as n_draws,
        count(case when draws.overall_response = observed.overall_response then 1 end) as n_same_overall_response,
        count(case when draws.dr_type is not distinct from observed.dr_type then 1 end) as n_same_dr_type,
        count(draws.dr_type) as n_with_dr
    from draws
    inner join observed
        on draws.patient_key = observed.patient_key
        and draws.assessment_date = observed.assessment_date
    group by draws.patient_key, draws.assessment_date
),

final as (
    select
        observed.patient_id,
        observed.assessment_date,
        observed.overall_response,
        observed.dr_type,
        cast(counted.n_draws as integer) as n_draws,
        {{ share('counted.n_same_overall_response', 'counted.n_draws') }} as share_same_overall_response,
        {{ share('counted.n_same_dr_type', 'counted.n_draws') }} as share_same_dr_type,
        {{ share('counted.n_with_dr', 'counted.n_draws') }} as share_any_dr
    from observed
    inner join counted
        on observed.patient_key = counted.patient_key
        and observed.assessment_date = counted.assessment_date
)

select * from final
