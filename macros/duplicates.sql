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


{% macro collapse_duplicate_rows(relation, key_columns, value_columns) -%}
    {#- One row per key of `relation` (a CTE or relation whose key columns are not NULL): the
        key, n_input_rows, each value column and is_conflicting, as collapse_duplicates gives
        them. Most keys have a single row: those pass through as they are, and only the keys
        with several rows are aggregated, which keeps string min/max off millions of keys
        (lesions of 1M patients: 4.6 s -> 1.5 s of CPU). -#}
    {%- set keys = key_columns | join(', ') -%}
    {%- set on = [] -%}
    {%- for column in key_columns -%}
        {%- do on.append('input_rows.' ~ column ~ ' = duplicated_keys.' ~ column) -%}
    {%- endfor -%}
    with duplicated_keys as (
        select {{ keys }} from {{ relation }} group by {{ keys }} having count(*) > 1
    )

    select
        {%- for column in key_columns %}
        input_rows.{{ column }},
        {%- endfor %}
        cast(1 as bigint) as n_input_rows,
        {%- for column in value_columns %}
        input_rows.{{ column }},
        {%- endfor %}
        false as is_conflicting
    from {{ relation }} as input_rows
    left join duplicated_keys
        on {{ on | join(' and ') }}
    where duplicated_keys.{{ key_columns[0] }} is null
    union all
    select
        {%- for column in key_columns %}
        input_rows.{{ column }},
        {%- endfor %}
        {{ collapse_duplicates(value_columns) }}
    from {{ relation }} as input_rows
    inner join duplicated_keys
        on {{ on | join(' and ') }}
    group by {% for column in key_columns %}input_rows.{{ column }}{{ ", " if not loop.last }}{% endfor %}
{%- endmacro %}
