{% macro collapse_duplicates(value_columns) -%}
    {#- Aggregates for a `group by <key>` over input rows: each value column is kept when all
        rows of the key agree on it (NULLs included) and is NULL when they conflict.
        Adds n_input_rows and is_conflicting. Uses min/max only, so it stays a cheap hash
        aggregate on millions of keys. -#}
    count(*) as n_input_rows,
    {%- for column in value_columns %}
    case when {{ values_agree(column) }} then max({{ column }}) end as {{ column }},
    {%- endfor %}
    not ({% for column in value_columns %}{{ values_agree(column) }}{{ " and " if not loop.last }}{% endfor %}) as is_conflicting
{%- endmacro %}


{% macro values_agree(column) -%}
    (count({{ column }}) = 0 or (count({{ column }}) = count(*) and min({{ column }}) = max({{ column }})))
{%- endmacro %}
