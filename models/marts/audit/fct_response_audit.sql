{#- The responses recorded in the trial (recorded_responses.csv, from SDTM RS) against the
    responses the project recomputes from the measurements (fct_evaluations, and
    fct_evaluations_irecist for a recorded iRECIST overall response): one row per patient and
    recorded visit date, with a reason for each disagreement. -#}

with recorded_rows as (
    select * from {{ ref('stg_recorded_responses') }}
    where patient_id is not null and assessment_date is not null
),

evaluations as (
    select * from {{ ref('fct_evaluations') }}
),

irecist_evaluations as (
    select * from {{ ref('fct_evaluations_irecist') }}
),

recorded as (
    {#- Repeated rows of one visit date count once; values that conflict are unknown. -#}
    select
        patient_id,
        assessment_date,
        min(visit_num) as visit_num,
        min(visit) as visit,
        {%- for response in ['target_response', 'non_target_response', 'new_lesions', 'overall_response', 'irecist_overall_response'] %}
        case when min({{ response }}) = max({{ response }}) then min({{ response }}) end as {{ response }}{{ "," if not loop.last }}
        {%- endfor %}
    from recorded_rows
    group by patient_id, assessment_date
),

compared as (
    select
        recorded.patient_id,
        recorded.assessment_date,
        recorded.visit_num,
        recorded.visit,
        evaluations.patient_id is not null as is_recomputed,
        recorded.target_response as recorded_target_response,
        evaluations.target_response,
        recorded.non_target_response as recorded_non_target_response,
        evaluations.non_target_response,
        {#- RS records new lesions only where there are some: none recorded is `no`. -#}
        coalesce(recorded.new_lesions, 'no') as recorded_new_lesions,
        evaluations.new_lesions,
        recorded.overall_response as recorded_overall_response,
        evaluations.overall_response,
        recorded.irecist_overall_response as recorded_irecist_overall_response,
        {{ recist_level('recorded.irecist_overall_response') }} as recorded_irecist_level,
        irecist_evaluations.overall_response as irecist_overall_response,
        {{ recist_level('irecist_evaluations.overall_response') }} as irecist_level,
        irecist_evaluations.iupd_date as irecist_iupd_date,
        {{ dbt.datediff('irecist_evaluations.iupd_date', 'recorded.assessment_date', 'day') }}
            between {{ setting_days('irecist_confirm_min_days') }} and {{ setting_days('irecist_confirm_max_days') }}
            as is_in_confirmation_window,
        evaluations.sum_mm,
        evaluations.baseline_sum_mm,
        evaluations.nadir_sum_mm,
        evaluations.n_ne as n_missing_target_lesions
    from recorded
    left join evaluations
        on recorded.patient_id = evaluations.patient_id
        and recorded.assessment_date = evaluations.assessment_date
    left join irecist_evaluations
        on recorded.patient_id = irecist_evaluations.patient_id
        and recorded.assessment_date = irecist_evaluations.assessment_date
),

agreement as (
    {#- A response is compared only where the trial recorded one (NULL: not compared). -#}
    select
        *,
        case when recorded_target_response is not null
            then recorded_target_response is not distinct from target_response end as target_agrees,
        case when recorded_non_target_response is not null
            then recorded_non_target_response is not distinct from non_target_response end as non_target_agrees,
        recorded_new_lesions is not distinct from new_lesions as new_lesions_agree,
        case when recorded_overall_response is not null
            then recorded_overall_response is not distinct from overall_response end as overall_agrees,
        case when recorded_irecist_overall_response is not null
            then recorded_irecist_overall_response is not distinct from irecist_overall_response end as irecist_agrees
    from compared
),

sum_reasons as (
    {#- What in the target sums explains a recorded target (or overall, or iRECIST overall
        at the RECIST 1.1 level) response that differs from the recomputed one: a missing
        lesion, progression measured from the nadir instead of baseline, or the 5 mm rule. -#}
    select
        *,
        {%- for name, recorded in [('target', 'recorded_target_response'), ('overall', 'recorded_overall_response'),
                                   ('irecist', 'recorded_irecist_level')] %}
        case
            when n_missing_target_lesions > 0 and 'NE' in (target_response, {{ recorded }})
                then 'missing_lesion'
            when target_response = 'PD' and {{ recorded }} <> 'PD'
                and not {{ is_progression('sum_mm', 'baseline_sum_mm') }}
                then 'progression_from_baseline_not_nadir'
            when {{ recorded }} = 'PD' and target_response <> 'PD'
                and sum_mm >= {{ setting('recist_pd_min_ratio') }} * nadir_sum_mm
                then 'five_mm_rule'
        end as {{ name }}_sum_reason{{ "," if not loop.last }}
        {%- endfor %}
    from agreement
),

component_reasons as (
    select
        *,
        case
            when target_agrees is not false then null
            when not is_recomputed then 'not_recomputed'
            else coalesce(target_sum_reason, 'other')
        end as target_reason,
        case
            when non_target_agrees is not false then null
            when not is_recomputed then 'not_recomputed'
            else 'non_target'
        end as non_target_reason,
        case
            when new_lesions_agree is not false then null
            when not is_recomputed then 'not_recomputed'
            else 'new_lesion'
        end as new_lesions_reason
    from sum_reasons
),

overall_reasons as (
    select
        *,
        case
            when overall_agrees is not false then null
            when not is_recomputed then 'not_recomputed'
            else coalesce(target_reason, non_target_reason, new_lesions_reason, overall_sum_reason, 'other')
        end as overall_reason
    from component_reasons
),

irecist_reasons as (
    {#- A recorded iRECIST response at another RECIST 1.1 level (iUPD/iCPD being PD) than the
        recomputed one differs for the reasons of the RECIST 1.1 responses; between iUPD and
        iCPD, for the confirmation: outside the window after the recomputed iUPD, no further
        increase since it, or an increase the trial did not take as confirming. -#}
    select
        *,
        case
            when irecist_agrees is not false then null
            when irecist_overall_response is null then 'not_recomputed'
            when recorded_irecist_level is distinct from irecist_level
                then coalesce(target_reason, non_target_reason, new_lesions_reason, irecist_sum_reason, 'other')
            when recorded_irecist_overall_response = 'iCPD' and not is_in_confirmation_window
                then 'confirmation_window'
            when recorded_irecist_overall_response = 'iCPD' then 'no_further_increase'
            when recorded_irecist_overall_response = 'iUPD' then 'further_increase'
            else 'other'
        end as irecist_reason
    from overall_reasons
),

final as (
    select
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(assessment_date as date) as assessment_date,
        cast(visit_num as {{ dbt.type_string() }}) as visit_num,
        cast(visit as {{ dbt.type_string() }}) as visit,
        cast(is_recomputed as boolean) as is_recomputed,
        cast(coalesce(target_agrees, true) and coalesce(non_target_agrees, true) and new_lesions_agree
            and coalesce(overall_agrees, true) and coalesce(irecist_agrees, true) as boolean) as agrees,
        cast(coalesce(overall_reason, target_reason, non_target_reason, new_lesions_reason, irecist_reason)
            as {{ dbt.type_string() }}) as reason,
        cast(recorded_target_response as {{ dbt.type_string() }}) as recorded_target_response,
        cast(target_response as {{ dbt.type_string() }}) as target_response,
        cast(target_agrees as boolean) as target_agrees,
        cast(target_reason as {{ dbt.type_string() }}) as target_reason,
        cast(recorded_non_target_response as {{ dbt.type_string() }}) as recorded_non_target_response,
        cast(non_target_response as {{ dbt.type_string() }}) as non_target_response,
        cast(non_target_agrees as boolean) as non_target_agrees,
        cast(non_target_reason as {{ dbt.type_string() }}) as non_target_reason,
        cast(recorded_new_lesions as {{ dbt.type_string() }}) as recorded_new_lesions,
        cast(new_lesions as {{ dbt.type_string() }}) as new_lesions,
        cast(new_lesions_agree as boolean) as new_lesions_agree,
        cast(new_lesions_reason as {{ dbt.type_string() }}) as new_lesions_reason,
        cast(recorded_overall_response as {{ dbt.type_string() }}) as recorded_overall_response,
        cast(overall_response as {{ dbt.type_string() }}) as overall_response,
        cast(overall_agrees as boolean) as overall_agrees,
        cast(overall_reason as {{ dbt.type_string() }}) as overall_reason,
        cast(sum_mm as decimal(12, 2)) as sum_mm,
        cast(baseline_sum_mm as decimal(12, 2)) as baseline_sum_mm,
        cast(nadir_sum_mm as decimal(12, 2)) as nadir_sum_mm,
        cast(n_missing_target_lesions as integer) as n_missing_target_lesions,
        cast(recorded_irecist_overall_response as {{ dbt.type_string() }}) as recorded_irecist_overall_response,
        cast(irecist_overall_response as {{ dbt.type_string() }}) as irecist_overall_response,
        cast(irecist_iupd_date as date) as irecist_iupd_date,
        cast(irecist_agrees as boolean) as irecist_agrees,
        cast(irecist_reason as {{ dbt.type_string() }}) as irecist_reason
    from irecist_reasons
)

select * from final
