{#- One row per post-baseline evaluation of an eligible patient x dissociated-response
    definition that applies there (docs/dissociated-response.md): whether it holds and the
    lesions (or organs) on its worse and better sides. seed, lesion_threshold and
    mixed_with_new apply at every evaluation; organ and first_scan_pd at the first. -#}

with evaluations as (
    select patient_id, assessment_date, evaluation_number, target_response, new_lesions,
           overall_response, dr_type
    from {{ ref('fct_evaluations') }}
),

counted as (
    {#- one pass over the readings: per evaluation, how many lesions are on each side -#}
    select
        patient_id,
        assessment_date,
        count(case when {{ lesion_side('lesion_threshold', 'worse') }} then 1 end) as lesion_threshold_n_worse,
        count(case when {{ lesion_side('lesion_threshold', 'better') }} then 1 end) as lesion_threshold_n_better,
        count(case when {{ lesion_side('lesion_threshold', 'worse') }} or {{ lesion_side('lesion_threshold', 'better') }}
            then 1 end) as lesion_threshold_n_either,
        count(case when {{ lesion_side('first_scan_pd', 'worse') }} then 1 end) as first_scan_pd_n_worse,
        count(case when {{ lesion_side('first_scan_pd', 'better') }} then 1 end) as first_scan_pd_n_better
    from {{ ref('fct_lesion_measurements') }} as readings
    group by patient_id, assessment_date
),

judged as (
    {#- one row per evaluation: whether each definition holds there (first_scan_pd at the
        first evaluation only) -#}
    select
        evaluations.*,
        evaluations.dr_type is not null as seed_holds,
        counted.lesion_threshold_n_worse > 0 and counted.lesion_threshold_n_better > 0
            and counted.lesion_threshold_n_either >= 2 as lesion_threshold_holds,
        evaluations.evaluation_number = 1 and evaluations.overall_response = 'PD'
            and counted.first_scan_pd_n_better > 0
            and (counted.first_scan_pd_n_worse > 0 or evaluations.new_lesions = 'yes') as first_scan_pd_holds,
        evaluations.target_response in ('CR', 'PR') and evaluations.new_lesions = 'yes' as mixed_with_new_holds
    from counted
    inner join evaluations
        on counted.patient_id = evaluations.patient_id
        and counted.assessment_date = evaluations.assessment_date
),

sides_listed as (
    {#- a second pass over the readings, of the evaluations where a definition holds: the
        lesions on each side of each definition that holds -#}
    select
        judged.patient_id,
        judged.assessment_date
        {%- for definition in lesion_dr_definitions() %}
        {%- for side in ['worse', 'better'] %},
        {{ sorted_text_list('readings.lesion_id', 'judged.' ~ definition ~ '_holds and ' ~ lesion_side(definition, side)) }}
            as {{ definition }}_{{ side }}_lesions
        {%- endfor %}
        {%- endfor %}
    from judged
    inner join {{ ref('fct_lesion_measurements') }} as readings
        on judged.patient_id = readings.patient_id
        and judged.assessment_date = readings.assessment_date
    where judged.seed_holds or judged.lesion_threshold_holds or judged.first_scan_pd_holds
        or judged.mixed_with_new_holds
    group by judged.patient_id, judged.assessment_date
),

judged_sides as (
    select
        judged.*
        {%- for definition in lesion_dr_definitions() %}
        {%- for side in ['worse', 'better'] %},
        sides_listed.{{ definition }}_{{ side }}_lesions
        {%- endfor %}
        {%- endfor %}
    from judged
    left join sides_listed
        on judged.patient_id = sides_listed.patient_id
        and judged.assessment_date = sides_listed.assessment_date
),

definitions as (
    {%- for definition in lesion_dr_definitions() %}
    select '{{ definition }}' as definition
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

lesion_judged as (
    {#- one row per evaluation and definition (first_scan_pd at the first evaluation only):
        the evaluation's wide row read once per definition, not stored once per definition -#}
    select
        judged_sides.patient_id,
        judged_sides.assessment_date,
        judged_sides.evaluation_number,
        definitions.definition,
        case definitions.definition
            {%- for definition in lesion_dr_definitions() %}
            when '{{ definition }}' then judged_sides.{{ definition }}_holds
            {%- endfor %}
        end as is_dissociated,
        case when definitions.definition = 'seed' then judged_sides.dr_type end as dr_type,
        case definitions.definition
            {%- for definition in lesion_dr_definitions() %}
            when '{{ definition }}' then
                {%- if definition in ('first_scan_pd', 'mixed_with_new') %}
                case
                    when judged_sides.new_lesions = 'yes'
                        then concat_ws(', ', judged_sides.{{ definition }}_worse_lesions, 'new lesions')
                    else judged_sides.{{ definition }}_worse_lesions
                end
                {%- else %} judged_sides.{{ definition }}_worse_lesions
                {%- endif %}
            {%- endfor %}
        end as worse_side,
        case definitions.definition
            {%- for definition in lesion_dr_definitions() %}
            when '{{ definition }}' then judged_sides.{{ definition }}_better_lesions
            {%- endfor %}
        end as better_side,
        judged_sides.overall_response
    from judged_sides
    cross join definitions
    where definitions.definition <> 'first_scan_pd' or judged_sides.evaluation_number = 1
),

organs as (
    select
        patient_id,
        assessment_date,
        count(case when organ_response = 'PD' then 1 end) as n_worse,
        count(case when organ_response in ('CR', 'PR') then 1 end) as n_better,
        {{ sorted_text_list('organ', "organ_response = 'PD'") }} as worse_organs,
        {{ sorted_text_list('organ', "organ_response in ('CR', 'PR')") }} as better_organs
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
