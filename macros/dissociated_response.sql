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


{% macro side_of(side) -%}
    {#- The lesion_id of a row of lesion_sides when it is on `side` (worse / better) under the
        row's definition (judged.definition), else NULL. -#}
    case judged.definition
        {%- for definition in lesion_dr_definitions() %}
        when '{{ definition }}' then case when lesion_sides.{{ definition }}_{{ side }} then lesion_sides.lesion_id end
        {%- endfor %}
    end
{%- endmacro %}


{% macro sorted_text_list(text) -%}
    {#- Aggregate: the distinct non-NULL values of `text`, sorted, joined by ', '; NULL when none. -#}
    {{ return(adapter.dispatch('sorted_text_list', 'lesionwise')(text)) }}
{%- endmacro %}

{% macro default__sorted_text_list(text) -%}
    {#- a list sorted once per group: a third faster than string_agg(distinct ... order by) at 1M patients -#}
    nullif(array_to_string(list_sort(list_distinct(list({{ text }}))), ', '), '')
{%- endmacro %}

{% macro spark__sorted_text_list(text) -%}
    nullif(array_join(array_sort(collect_set({{ text }})), ', '), '')
{%- endmacro %}
