
{% macro site_map_keywords() -%}
    {#- The user's site keywords (var site_map: [[keyword, site_group], ...], from
        `lesionwise build --site-map FILE`) as rows (keyword, site_group, precedence), tried
        before the shipped ones and in the order given: precedence -n .. -1. -#}
    {%- set site_map = var('site_map') or [] -%}
    {%- if site_map | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as keyword,
        cast(null as {{ dbt.type_string() }}) as site_group,
        cast(null as integer) as precedence
    from (select 1 as no_site_map) as empty_site_map where 1 = 0
    {%- else %}
    select
        cast(keyword as {{ dbt.type_string() }}) as keyword,
        cast(site_group as {{ dbt.type_string() }}) as site_group,
        cast(precedence as integer) as precedence
    from (values
        {%- for keyword, site_group in site_map %}
        ({{ string_literal(keyword) }}, {{ string_literal(site_group) }}, {{ loop.index - loop.length - 1 }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as user_keywords (keyword, site_group, precedence)
    {%- endif %}
{%- endmacro %}
