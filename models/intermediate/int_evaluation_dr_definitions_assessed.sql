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
    {#- each lesion's side under each definition, one row per reading: worse, better or neither -#}
    select
        patient_id,
        assessment_date,
        lesion_id,
        evaluation_rank,
        (lesion_response = 'PD' and evaluation_dr_type in ('DR1', 'DR2'))
            or (lesion_response = 'SD' and evaluation_dr_type = 'DR3') as seed_worse,
        (lesion_response in ('CR', 'PR') and evaluation_dr_type in ('DR1', 'DR3'))
            or (lesion_response = 'SD' and evaluation_dr_type = 'DR2') as seed_better,
        {{ grew_more_than('diameter_mm', 'nadir_mm', 'dr_lesion_growth_min_pct') }} as lesion_threshold_worse,
        {{ shrank_more_than('diameter_mm', 'baseline_mm', 'dr_lesion_shrink_min_pct') }} as lesion_threshold_better,
        {{ grew_more_than('diameter_mm', 'baseline_mm', 'dr_first_scan_growth_min_pct') }} as first_scan_pd_worse,
        {{ shrank_more_than('diameter_mm', 'baseline_mm', 'dr_first_scan_shrink_min_pct') }} as first_scan_pd_better,
        false as mixed_with_new_worse,
        lesion_response in ('CR', 'PR') as mixed_with_new_better
    from readings
),

counted as (
    {#- one pass over the readings: per evaluation, how many lesions are on each side -#}
    select
        patient_id,
        assessment_date,
        min(evaluation_rank) as evaluation_rank,
        count(case when lesion_threshold_worse then 1 end) as lesion_threshold_n_worse,
        count(case when lesion_threshold_better then 1 end) as lesion_threshold_n_better,
        count(case when lesion_threshold_worse or lesion_threshold_better then 1 end) as lesion_threshold_n_either,
        count(case when first_scan_pd_worse then 1 end) as first_scan_pd_n_worse,
        count(case when first_scan_pd_better then 1 end) as first_scan_pd_n_better
    from lesion_sides
    group by patient_id, assessment_date
),

judged as (
    {#- one row per evaluation and definition; first_scan_pd at the first evaluation only -#}
    {%- set holds_when = {
        'seed': 'evaluations.dr_type is not null',
        'lesion_threshold': 'counted.lesion_threshold_n_worse > 0 and counted.lesion_threshold_n_better > 0
            and counted.lesion_threshold_n_either >= 2',
        'first_scan_pd': "evaluations.overall_response = 'PD' and counted.first_scan_pd_n_better > 0
            and (counted.first_scan_pd_n_worse > 0 or evaluations.new_lesions = 'yes')",
        'mixed_with_new': "evaluations.target_response in ('CR', 'PR') and evaluations.new_lesions = 'yes'"} %}
    {%- for definition in lesion_dr_definitions() %}
    select
        counted.patient_id,
        counted.assessment_date,
        evaluations.evaluation_number,
        '{{ definition }}' as definition,
        {{ holds_when[definition] }} as is_dissociated,
        {{ "evaluations.dr_type" if definition == 'seed' else "cast(null as " ~ dbt.type_string() ~ ")" }} as dr_type,
        {{ "evaluations.new_lesions = 'yes'" if definition in ('first_scan_pd', 'mixed_with_new') else "false" }}
            as names_new_lesions,
        evaluations.overall_response
    from counted
    inner join evaluations
        on counted.patient_id = evaluations.patient_id
        and counted.assessment_date = evaluations.assessment_date
    {%- if definition == 'first_scan_pd' %}
    where counted.evaluation_rank = 1
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

sides_listed as (
    {#- the lesions on each side, only where a definition holds: few rows get a list -#}
    select
        judged.patient_id,
        judged.assessment_date,
        judged.definition,
        {{ sorted_text_list(side_of('worse')) }} as worse_lesions,
        {{ sorted_text_list(side_of('better')) }} as better_lesions
    from judged
    inner join lesion_sides
        on judged.patient_id = lesion_sides.patient_id
        and judged.assessment_date = lesion_sides.assessment_date
    where judged.is_dissociated
    group by judged.patient_id, judged.assessment_date, judged.definition
),

lesion_judged as (
    select
        judged.patient_id,
        judged.assessment_date,
        judged.evaluation_number,
        judged.definition,
        judged.is_dissociated,
        judged.dr_type,
        case
            when judged.names_new_lesions then concat_ws(', ', sides_listed.worse_lesions, 'new lesions')
            else sides_listed.worse_lesions
        end as worse_side,
        sides_listed.better_lesions as better_side,
        judged.overall_response
    from judged
    left join sides_listed
        on judged.patient_id = sides_listed.patient_id
        and judged.assessment_date = sides_listed.assessment_date
        and judged.definition = sides_listed.definition
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
    select * from lesion_judged
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
