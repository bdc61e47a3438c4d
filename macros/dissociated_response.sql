{#- Rule shapes of the published dissociated-response definitions other than the seed
    study's (docs/dissociated-response.md). Percentages are dbt vars; the comparisons are
    done on the diameters in DECIMAL, so +20.00 % and +20.01 % fall on either side exactly.
    The RECIST 1.1 shapes stay in recist_rules.sql. -#}

{% macro grew_more_than(current_mm, reference_mm, pct_setting) -%}
    {#- The value is more than `pct_setting` % above a non-zero reference (a change from 0
        has no percentage, as in the contract). -#}
    ({{ reference_mm }} > 0 and {{ current_mm }} * 100 > (100 + {{ setting(pct_setting) }}) * {{ reference_mm }})
{%- endmacro %}


{% macro shrank_more_than(current_mm, reference_mm, pct_setting) -%}
    {#- The value is more than `pct_setting` % below the reference. -#}
    ({{ current_mm }} * 100 < (100 - {{ setting(pct_setting) }}) * {{ reference_mm }})
{%- endmacro %}


{% macro lesion_dr_definitions() -%}
    {#- The DR definitions judged lesion by lesion (organ is judged on organ sums). -#}
    {{ return(['seed', 'lesion_threshold', 'first_scan_pd', 'mixed_with_new']) }}
{%- endmacro %}


{% macro lesion_side(definition, side) -%}
    {#- Whether a reading of fct_lesion_measurements (as `readings`) is on `side` (worse /
        better) of a lesion `definition` at its evaluation (`judged`, for the seed study's
        dr_type; the other definitions read the reading alone). -#}
    {%- set sides = {
        'seed': {
            'worse': "(readings.lesion_response = 'PD' and judged.dr_type in ('DR1', 'DR2'))
                or (readings.lesion_response = 'SD' and judged.dr_type = 'DR3')",
            'better': "(readings.lesion_response in ('CR', 'PR') and judged.dr_type in ('DR1', 'DR3'))
                or (readings.lesion_response = 'SD' and judged.dr_type = 'DR2')"},
        'lesion_threshold': {
            'worse': grew_more_than('readings.diameter_mm', 'readings.nadir_mm', 'dr_lesion_growth_min_pct'),
            'better': shrank_more_than('readings.diameter_mm', 'readings.baseline_mm', 'dr_lesion_shrink_min_pct')},
        'first_scan_pd': {
            'worse': grew_more_than('readings.diameter_mm', 'readings.baseline_mm', 'dr_first_scan_growth_min_pct'),
            'better': shrank_more_than('readings.diameter_mm', 'readings.baseline_mm', 'dr_first_scan_shrink_min_pct')},
        'mixed_with_new': {
            'worse': 'false', 'better': "readings.lesion_response in ('CR', 'PR')"}} -%}
    ({{ sides[definition][side] }})
{%- endmacro %}


{% macro sorted_text_list(text, where='true') -%}
    {#- Aggregate: the distinct non-NULL values of `text` on the rows where `where` holds,
        sorted, joined by ', '; NULL when none. -#}
    {{ return(adapter.dispatch('sorted_text_list', 'lesionwise')(text, where)) }}
{%- endmacro %}

{% macro default__sorted_text_list(text, where) -%}
    {#- a list sorted once per group: a third faster than string_agg(distinct ... order by) at 1M
        patients; rows filtered out add nothing to the list (a `case` would add NULLs) -#}
    nullif(array_to_string(list_sort(list_distinct(list({{ text }}) filter (where {{ where }}))), ', '), '')
{%- endmacro %}

{% macro spark__sorted_text_list(text, where) -%}
    nullif(array_join(array_sort(collect_set({{ text }}) filter (where {{ where }})), ', '), '')
{%- endmacro %}
