{#- One row per eligible patient: iRECIST best overall response (iCR > iPR > iSD > iUPD >
    iCPD > NE over the evaluations up to the first iCPD), first iUPD and iCPD dates, and the
    end of iRECIST PFS: the iUPD that an iCPD confirmed, an iUPD still unconfirmed at the
    last evaluation (iRECIST: the iUPD date when no confirmation came), or death, whichever
    is first; else censored at the last evaluation that is not NE (inclusion if none). -#}

with evaluations as (
    select * from {{ ref('int_evaluation_irecist_responses_computed') }}
),

ranked as (
    select
        *,
        case overall_response
            when 'iCR' then 1 when 'iPR' then 2 when 'iSD' then 3 when 'iUPD' then 4 when 'iCPD' then 5 else 6
        end as response_rank,
        row_number() over (partition by patient_id order by assessment_date desc) = 1 as is_last
    from evaluations
),

summarised as (
    select
        patient_id,
        min(case when overall_response <> 'iCPD' or confirms_icpd then response_rank end) as best_rank,
        min(iupd_date) as first_iupd_date,
        min(case when confirms_icpd then assessment_date end) as icpd_date,
        min(case when confirms_icpd or (is_last and overall_response = 'iUPD') then iupd_date end)
            as progression_date,
        max(case when overall_response <> 'NE' then assessment_date end) as last_evaluable_date
    from ranked
    group by patient_id
),

with_pfs as (
    select
        summarised.patient_id,
        case summarised.best_rank
            when 1 then 'iCR' when 2 then 'iPR' when 3 then 'iSD' when 4 then 'iUPD' when 5 then 'iCPD' else 'NE'
        end as best_overall_response,
        summarised.first_iupd_date,
        summarised.icpd_date,
        coalesce(least(summarised.progression_date, patients.death_date),
                 summarised.last_evaluable_date, patients.inclusion_date) as pfs_date,
        summarised.progression_date is not null or patients.death_date is not null as pfs_event
    from summarised
    inner join {{ ref('int_patients_deduplicated') }} as patients
        on summarised.patient_id = patients.patient_id
)

select * from with_pfs
