{#- One row per post-baseline evaluation of an eligible patient x dissociated-response
    definition that applies there (docs/dissociated-response.md): whether it holds and the
    lesions (or organs) on its worse and better sides. seed, lesion_threshold and
    mixed_with_new apply at every evaluation; organ and first_scan_pd at the first. -#}

with evaluations as (
    select patient_id, assessment_date, evaluation_number, target_response, new_lesions,
           overall_response, dr_type
    from {{ ref('fct_evaluations') }}
),

readings as (
    select
        readings.*,
        evaluations.evaluation_number as evaluation_rank,
        evaluations.dr_type as evaluation_dr_type
    from {{ ref('fct_lesion_measurements') }} as readings
    inner join evaluations
        on readings.patient_id = evaluations.patient_id
        and readings.assessment_date = evaluations.assessment_date
),

lesion_sides as (
    {#- each lesion's side under each definition: worse, better or neither -#}
    select
        patient_id, assessment_date, lesion_id, 'seed' as definition,
        (lesion_response = 'PD' and evaluation_dr_type in ('DR1', 'DR2'))
            or (lesion_response = 'SD' and evaluation_dr_type = 'DR3') as is_worse,
        (lesion_response in ('CR', 'PR') and evaluation_dr_type in ('DR1', 'DR3'))
            or (lesion_response = 'SD' and evaluation_dr_type = 'DR2') as is_better
    from readings
    union all
    select
        patient_id, assessment_date, lesion_id, 'lesion_threshold' as definition,
        {{ grew_more_than('diameter_mm', 'nadir_mm', 'dr_lesion_growth_min_pct') }} as is_worse,
        {{ shrank_more_than('diameter_mm', 'baseline_mm', 'dr_lesion_shrink_min_pct') }} as is_better
    from readings
    union all
    select
        patient_id, assessment_date, lesion_id, 'first_scan_pd' as definition,
        {{ grew_more_than('diameter_mm', 'baseline_mm', 'dr_first_scan_growth_min_pct') }} as is_worse,
        {{ shrank_more_than('diameter_mm', 'baseline_mm', 'dr_first_scan_shrink_min_pct') }} as is_better
    from readings
    where evaluation_rank = 1
    union all
    select
        patient_id, assessment_date, lesion_id, 'mixed_with_new' as definition,
        false as is_worse,
        lesion_response in ('CR', 'PR') as is_better
    from readings
),

counted as (
    select
        patient_id,
        assessment_date,
        definition,
        count(case when is_worse then 1 end) as n_worse,
        count(case when is_better then 1 end) as n_better,
        count(case when is_worse or is_better then 1 end) as n_either,
        {{ sorted_text_list('case when is_worse then lesion_id end') }} as worse_lesions,
        {{ sorted_text_list('case when is_better then lesion_id end') }} as better_lesions
    from lesion_sides
    group by patient_id, assessment_date, definition
),

judged as (
    select
        counted.patient_id,
        counted.assessment_date,
        evaluations.evaluation_number,
        counted.definition,
        case counted.definition
            when 'seed' then evaluations.dr_type is not null
            {# two different lesions: one on each side #}
            when 'lesion_threshold' then counted.n_worse > 0 and counted.n_better > 0 and counted.n_either >= 2
            when 'first_scan_pd' then evaluations.overall_response = 'PD' and counted.n_better > 0
                and (counted.n_worse > 0 or evaluations.new_lesions = 'yes')
            when 'mixed_with_new' then evaluations.target_response in ('CR', 'PR') and evaluations.new_lesions = 'yes'
        end as is_dissociated,
        case when counted.definition = 'seed' then evaluations.dr_type end as dr_type,
        case
            when counted.definition in ('first_scan_pd', 'mixed_with_new') and evaluations.new_lesions = 'yes'
                then concat_ws(', ', counted.worse_lesions, 'new lesions')
            else counted.worse_lesions
        end as worse_side,
        counted.better_lesions as better_side,
        evaluations.overall_response
    from counted
    inner join evaluations
        on counted.patient_id = evaluations.patient_id
        and counted.assessment_date = evaluations.assessment_date
),

organs as (
    select
        patient_id,
        assessment_date,
        count(case when organ_response = 'PD' then 1 end) as n_worse,
        count(case when organ_response in ('CR', 'PR') then 1 end) as n_better,
        {{ sorted_text_list("case when organ_response = 'PD' then organ end") }} as worse_organs,
        {{ sorted_text_list("case when organ_response in ('CR', 'PR') then organ end") }} as better_organs
    from {{ ref('int_organ_responses_computed') }}
    group by patient_id, assessment_date
),

organ_judged as (
    select
        organs.patient_id,
        organs.assessment_date,
        evaluations.evaluation_number,
        'organ' as definition,
        organs.n_worse > 0 and organs.n_better > 0 as is_dissociated,
        cast(null as {{ dbt.type_string() }}) as dr_type,
        organs.worse_organs as worse_side,
        organs.better_organs as better_side,
        evaluations.overall_response
    from organs
    inner join evaluations
        on organs.patient_id = evaluations.patient_id
        and organs.assessment_date = evaluations.assessment_date
),

all_definitions as (
    select * from judged
    union all
    select * from organ_judged
),

final as (
    select
        patient_id,
        assessment_date,
        evaluation_number,
        definition,
        is_dissociated,
        dr_type,
        case when is_dissociated then worse_side end as worse_side,
        case when is_dissociated then better_side end as better_side,
        overall_response
    from all_definitions
)

select * from final
