{% macro best_response(relation, partition_by, response) -%}
    {#- One row per `partition_by` group of `relation` (rows with assessment_date,
        days_from_inclusion and `response`): the best response over the evaluations up to
        and including the group's first PD. CR > PR > SD > PD > NE. With
        `recist_confirmation_min_days` > 0 a CR/PR needs a CR (or CR/PR) at least that many
        days later, else it counts one level lower; with `recist_sd_min_days` > 0 an SD (or
        unconfirmed response) counts only from that day after inclusion, else as NE. -#}
    {%- set keys = partition_by | join(', ') -%}
    {%- set confirm_days = var('recist_confirmation_min_days') -%}
    {%- set sd_days = var('recist_sd_min_days') -%}
    select
        {{ keys }},
        {{ response_of_rank('min(effective_rank)') }} as best_response
    from (
        select
            {{ keys }},
            assessment_date,
            min(case when {{ response }} = 'PD' then assessment_date end)
                over (partition by {{ keys }}) as first_pd_date,
            case
                when {{ response }} = 'CR'
                    {%- if confirm_days > 0 %}
                    and max(case when {{ response }} = 'CR' then days_from_inclusion end) over (
                        partition by {{ keys }} order by assessment_date
                        rows between 1 following and unbounded following)
                        >= days_from_inclusion + {{ setting_days('recist_confirmation_min_days') }}
                    {%- endif %}
                    then 1
                when {{ response }} in ('CR', 'PR')
                    {%- if confirm_days > 0 %}
                    and max(case when {{ response }} in ('CR', 'PR') then days_from_inclusion end) over (
                        partition by {{ keys }} order by assessment_date
                        rows between 1 following and unbounded following)
                        >= days_from_inclusion + {{ setting_days('recist_confirmation_min_days') }}
                    {%- endif %}
                    then 2
                when {{ response }} in ('CR', 'PR', 'SD')
                    {%- if sd_days > 0 %}
                    and days_from_inclusion >= {{ setting_days('recist_sd_min_days') }}
                    {%- endif %}
                    then 3
                when {{ response }} = 'PD' then 4
                else 5
            end as effective_rank
        from {{ relation }}
    ) as ranked
    where first_pd_date is null or assessment_date <= first_pd_date
    group by {{ keys }}
{%- endmacro %}
