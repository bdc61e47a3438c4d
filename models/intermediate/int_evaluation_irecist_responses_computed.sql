{#- One row per post-baseline evaluation of an eligible patient, the chosen reader's: its
    iRECIST responses (docs/irecist.md), as fct_evaluations_irecist gives them. Evaluations
    are cut into segments, each starting at an evaluation whose RECIST 1.1 overall response
    is CR, PR or SD (the iRECIST bar resets there). The first RECIST PD of a segment is an
    iUPD; a later evaluation of the segment confirms it (iCPD) when it is 28-56 days after
    the iUPD and, since the iUPD, the target sum rose >= 5 mm, non-target disease increased,
    the measured new lesions' sum rose >= 5 mm or another new lesion appeared; otherwise it
    stays iUPD. From the first iCPD on, iCPD. -#}

with evaluations as (
    select
        evaluations.patient_id,
        evaluations.assessment_date,
        evaluations.evaluation_number,
        evaluations.days_from_inclusion,
        evaluations.sum_mm,
        evaluations.target_response,
        evaluations.non_target_response,
        evaluations.new_lesions,
        evaluations.overall_response,
        assessed.non_target_increase,
        coalesce(new_lesions.n_new_lesions, 0) as n_new_lesions,
        coalesce(new_lesions.n_appearing, 0) as n_appearing,
        new_lesions.new_lesion_sum_mm
    from ({{ chosen_reader_rows(ref('int_evaluation_responses_computed')) }}) as evaluations
    left join ({{ chosen_reader_rows(ref('int_evaluations_assessed')) }}) as assessed
        on evaluations.patient_id = assessed.patient_id
        and evaluations.assessment_date = assessed.assessment_date
    left join {{ ref('int_evaluation_new_lesions_summed') }} as new_lesions
        on evaluations.patient_id = new_lesions.patient_id
        and evaluations.assessment_date = new_lesions.assessment_date
),

segmented as (
    {#- one pass in date order: the segment, the running counts, and the last PD and the last
        reset before each evaluation (a reset resets an iUPD when a PD came after the reset
        before it: the previous segment had one) -#}
    select
        *,
        overall_response in ('CR', 'PR', 'SD') as is_reset,
        sum(case when overall_response in ('CR', 'PR', 'SD') then 1 else 0 end)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as segment,
        sum(n_appearing)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as n_appeared_so_far,
        sum(case when non_target_increase = 'yes' then 1 else 0 end)
            over (partition by patient_id order by assessment_date rows unbounded preceding) as n_nt_increases_so_far,
        max(case when overall_response = 'PD' then assessment_date end) over (
            partition by patient_id order by assessment_date rows between unbounded preceding and 1 preceding
        ) as last_pd_before,
        max(case when overall_response in ('CR', 'PR', 'SD') then assessment_date end) over (
            partition by patient_id order by assessment_date rows between unbounded preceding and 1 preceding
        ) as last_reset_before
    from evaluations
),

with_reference as (
    {#- one pass per segment, its first PD first: the iUPD and its values, which later
        increases are measured from (NULL when the segment has no PD) -#}
    {%- set at_iupd = "over (partition by patient_id, segment
            order by case when overall_response = 'PD' then 0 else 1 end, assessment_date)" %}
    select
        *,
        first_value(case when overall_response = 'PD' then assessment_date end) {{ at_iupd }} as iupd_date,
        first_value(case when overall_response = 'PD' then sum_mm end) {{ at_iupd }} as iupd_sum_mm,
        first_value(case when overall_response = 'PD' then coalesce(new_lesion_sum_mm, 0) end) {{ at_iupd }}
            as iupd_new_lesion_sum_mm,
        first_value(case when overall_response = 'PD' then days_from_inclusion end) {{ at_iupd }} as iupd_days,
        first_value(case when overall_response = 'PD' then n_appeared_so_far end) {{ at_iupd }} as iupd_n_appeared,
        first_value(case when overall_response = 'PD' then n_nt_increases_so_far end) {{ at_iupd }}
            as iupd_n_nt_increases
    from segmented
),

increases as (
    select
        *,
        assessment_date > iupd_date and sum_mm - iupd_sum_mm >= {{ setting('irecist_further_increase_mm') }}
            as target_sum_increased,
        assessment_date > iupd_date and n_nt_increases_so_far > iupd_n_nt_increases as non_target_increased,
        assessment_date > iupd_date
            and coalesce(new_lesion_sum_mm, 0) - iupd_new_lesion_sum_mm >= {{ setting('irecist_further_increase_mm') }}
            as new_lesion_sum_increased,
        assessment_date > iupd_date and n_appeared_so_far > iupd_n_appeared as new_lesion_appeared,
        days_from_inclusion - iupd_days between {{ setting_days('irecist_confirm_min_days') }}
            and {{ setting_days('irecist_confirm_max_days') }} as is_in_confirmation_window
    from with_reference
),

confirmed as (
    select
        *,
        coalesce(is_in_confirmation_window and not is_reset and (
            coalesce(target_sum_increased, false) or non_target_increased
            or new_lesion_sum_increased or new_lesion_appeared), false) as confirms_icpd
    from increases
),

with_first_icpd as (
    select
        *,
        min(case when confirms_icpd then assessment_date end) over (partition by patient_id) as first_icpd_date
    from confirmed
),

responded as (
    select
        *,
        case
            when assessment_date > first_icpd_date then 'iCPD'
            when confirms_icpd then 'iCPD'
            when is_reset then 'i' || overall_response
            when assessment_date >= iupd_date then 'iUPD'
            else 'NE'
        end as irecist_overall_response,
        case target_response when 'PD' then 'iUPD' when 'NE' then 'NE' else 'i' || target_response end
            as irecist_target_response,
        case non_target_response
            when 'PD' then 'iUPD' when 'NON_CR_NON_PD' then 'NON_iCR_NON_iUPD' when 'CR' then 'iCR' else non_target_response
        end as irecist_non_target_response,
        {#- a reset: an iCR/iPR/iSD while an iUPD was pending (at the patient's previous evaluation) -#}
        is_reset and last_pd_before is not null
            and (last_reset_before is null or last_pd_before > last_reset_before) as resets_iupd
    from with_first_icpd
),

irecist_responded as (
    select
        patient_id,
        assessment_date,
        evaluation_number,
        days_from_inclusion,
        irecist_target_response as target_response,
        irecist_non_target_response as non_target_response,
        non_target_increase,
        new_lesions,
        n_new_lesions,
        new_lesion_sum_mm,
        sum_mm,
        irecist_overall_response as overall_response,
        overall_response as recist_overall_response,
        case when assessment_date >= iupd_date and not is_reset then iupd_date end as iupd_date,
        coalesce(target_sum_increased, false) as target_sum_increased,
        coalesce(non_target_increased, false) as non_target_increased,
        coalesce(new_lesion_sum_increased, false) as new_lesion_sum_increased,
        coalesce(new_lesion_appeared, false) as new_lesion_appeared,
        confirms_icpd and assessment_date = first_icpd_date as confirms_icpd,
        coalesce(resets_iupd, false) as resets_iupd
    from responded
)

select * from irecist_responded
