{#- One row per eligible patient: the observed best overall response and DR type, and the
    share of draws that keep them. -#}
with draws as (
    select * from {{ ref('int_robustness_patients_redrawn') }}
),

patients as (
    select * from {{ ref('int_robustness_patients_keyed') }}
),

observed as (
    select * from {{ built_mart('dim_patients') }}
),

counted as (
    select
        draws.patient_key,
        count(*) as n_draws,
        count(case when draws.best_overall_response = observed.best_overall_response then 1 end)
            as n_same_best_overall_response,
        count(case when draws.dr_type is not distinct from observed.dr_type then 1 end) as n_same_dr_type,
        count(draws.dr_type) as n_with_dr,
        count(case when draws.best_overall_response in ('CR', 'PR') then 1 end) as n_objective_response
    from draws
    inner join patients on draws.patient_key = patients.patient_key
    inner join observed on patients.patient_id = observed.patient_id
    group by draws.patient_key
),

final as (
    select
        patients.patient_id,
        observed.best_overall_response,
        observed.dr_type,
        cast(counted.n_draws as integer) as n_draws,
        {{ share('counted.n_same_best_overall_response', 'counted.n_draws') }} as share_same_best_overall_response,
        {{ share('counted.n_same_dr_type', 'counted.n_draws') }} as share_same_dr_type,
        {{ share('counted.n_with_dr', 'counted.n_draws') }} as share_any_dr,
        {{ share('counted.n_objective_response', 'counted.n_draws') }} as share_objective_response
    from patients
    inner join counted on patients.patient_key = counted.patient_key
    inner join observed on patients.patient_id = observed.patient_id
)

select * from final
