{#- The chosen reader's eligibility (docs/readers.md) -#}
with eligibility as (
    {{ chosen_reader_rows(ref('int_patients_eligibility_assessed')) }}
),

counted as (
    select
        coalesce(exclusion_reason, 'eligible') as reason,
        eligible,
        count(*) as n_patients
    from eligibility
    group by coalesce(exclusion_reason, 'eligible'), eligible
),

ordered as (
    select
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(n_patients as integer) as n_patients,
        cast(row_number() over (
            order by
                eligible,
                case reason
                    when 'no_baseline_assessment' then 2
                    when 'fewer_than_two_target_lesions' then 3
                    when 'no_follow_up_assessment' then 4
                    else 1
                end,
                n_patients desc,
                reason
        ) as integer) as display_order
    from counted
)

select * from ordered
