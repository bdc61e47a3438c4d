{#- One row per eligible patient with a post-baseline evaluation of the chosen reader: the
    best overall response with confirmation per RECIST 1.1 (docs/confirmed-response.md). A CR
    (PR) at an evaluation is confirmed by a later CR (CR or PR) at least
    `confirmation_min_days` after it, every evaluation between being CR (CR, PR) or NE, at
    most `confirmation_max_ne_between` of them NE. An unconfirmed CR/PR, and an SD, count as
    SD from `confirmation_sd_min_days` after inclusion on, else as NE. Best of CR > PR > SD >
    PD > NE up to the first PD. -#}

with evaluations as (
    select
        patient_id,
        assessment_date,
        days_from_inclusion,
        overall_response,
        {#- running counts: the evaluations between two of them are the difference -#}
        sum(case when overall_response = 'NE' then 1 else 0 end)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as n_ne_so_far,
        sum(case when overall_response not in ('CR', 'NE') then 1 else 0 end)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as n_not_cr_so_far,
        sum(case when overall_response not in ('CR', 'PR', 'NE') then 1 else 0 end)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as n_not_responding_so_far,
        min(case when overall_response = 'PD' then assessment_date end)
            over (partition by patient_id) as first_pd_date
    from ({{ chosen_reader_rows(ref('int_evaluation_responses_computed')) }}) as chosen
),

confirmations as (
    {#- each CR/PR evaluation with the best level a later evaluation confirms: 1 CR, 2 PR -#}
    select
        responses.patient_id,
        responses.assessment_date,
        min(case
            when responses.overall_response = 'CR' and later.overall_response = 'CR'
                and later.n_not_cr_so_far = responses.n_not_cr_so_far then 1
            when later.n_not_responding_so_far = responses.n_not_responding_so_far then 2
        end) as confirmed_rank
    from evaluations as responses
    inner join evaluations as later
        on responses.patient_id = later.patient_id
        and later.assessment_date > responses.assessment_date
        and later.days_from_inclusion - responses.days_from_inclusion
            >= {{ setting_days('confirmation_min_days') }}
        and later.overall_response in ('CR', 'PR')
        and later.n_ne_so_far - responses.n_ne_so_far <= {{ setting_integer('confirmation_max_ne_between') }}
    where responses.overall_response in ('CR', 'PR')
    group by responses.patient_id, responses.assessment_date
),

ranked as (
    select
        evaluations.patient_id,
        evaluations.assessment_date,
        case
            when confirmations.confirmed_rank is not null then confirmations.confirmed_rank
            when evaluations.overall_response in ('CR', 'PR', 'SD')
                and evaluations.days_from_inclusion >= {{ setting_days('confirmation_sd_min_days') }} then 3
            when evaluations.overall_response = 'PD' then 4
            else 5
        end as effective_rank
    from evaluations
    left join confirmations
        on evaluations.patient_id = confirmations.patient_id
        and evaluations.assessment_date = confirmations.assessment_date
    where evaluations.first_pd_date is null or evaluations.assessment_date <= evaluations.first_pd_date
),

best as (
    select
        patient_id,
        {{ response_of_rank('min(effective_rank)') }} as confirmed_best_response,
        min(case when effective_rank <= 2 then assessment_date end) as first_confirmed_response_date
    from ranked
    group by patient_id
)

select * from best
