{#- One row per cohort measure: its observed share of the eligible patients, and its mean
    and 2.5 and 97.5 percentiles over the draws. -#}
with draws as (
    select * from {{ ref('robustness_cohort_draws') }}
),

eligible as (
    select * from {{ built_mart('dim_patients') }}
    where eligible
),

observed as (
    {{ cohort_shares('eligible', by_draw=false) }}
),

summarised as (
    select
        measure,
        count(*) as n_draws,
        avg(share) as mean_share,
        quantile_cont(share, 0.025) as share_p2_5,
        quantile_cont(share, 0.975) as share_p97_5
    from draws
    group by measure
),

final as (
    select
        summarised.measure,
        cast(round(observed.share, 4) as decimal(6, 4)) as observed_share,
        cast(summarised.n_draws as integer) as n_draws,
        cast(round(summarised.mean_share, 4) as decimal(6, 4)) as mean_share,
        cast(round(summarised.share_p2_5, 4) as decimal(6, 4)) as share_p2_5,
        cast(round(summarised.share_p97_5, 4) as decimal(6, 4)) as share_p97_5
    from summarised
    inner join observed on summarised.measure = observed.measure
)

select * from final
