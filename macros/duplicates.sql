{#- Duplicate input rows. Each file is deduplicated in two steps: int_<file>_duplicated holds
    only the keys that occur on several rows, collapsed to one row each (few or none on a
    clean input); int_<file>_deduplicated is every other row as it is plus those. So the
    millions of rows with a single key are only counted by key hash, never aggregated, and
    where the deduplicated rows are a view, never written twice (1M patients: 10.9M
    readings). Rows with a NULL key are left out (data_issues reports them). -#}

{% macro input_row_identity(file) -%}
    {#- What makes rows of an input file duplicates: the same key. Their values are compared:
        every other column the contract lists for the file (the `input` source's YAML, macro
        contract_columns) but those in not_compared; a conflict gives NULL unless on_conflict
        names a value. Used by int_<file>_duplicated, int_<file>_deduplicated and
        assigned_to_readers alike. The reader is part of the key (reader_key) of the files that
        have one (docs/readers.md): two readers' readings of one lesion and date are not
        duplicates. A new lesion's status only gives its diameter_mm a value (staging): not
        compared. -#}
    {%- set identities = {
        'patients': {'key_columns': ['patient_id']},
        'lesions': {'key_columns': ['patient_id', 'lesion_id']},
        'measurements': {'key_columns': ['patient_id', 'lesion_id', 'assessment_date', 'reader_key']},
        'assessments': {'key_columns': ['patient_id', 'assessment_date', 'reader_key'],
                        'on_conflict': {'non_target_response': "'NE'"}},
        'new_lesions': {'key_columns': ['patient_id', 'lesion_id', 'assessment_date', 'reader_key'],
                        'not_compared': ['status']},
    } -%}
    {%- set identity = identities[file] -%}
    {%- set not_values = identity.key_columns + ['reader'] + identity.get('not_compared', []) -%}
    {%- set columns = (contract_columns(file) if execute else none) or [] -%}
    {{ return({'key_columns': identity.key_columns,
               'value_columns': columns | reject('in', not_values) | list,
               'on_conflict': identity.get('on_conflict', {})}) }}
{%- endmacro %}


{% macro collapse_duplicates(value_columns, on_conflict={}) -%}
    {#- Aggregates for a `group by <key>` over input rows: each value column is kept when all
        rows of the key agree on it (NULLs included) and is `on_conflict[column]` (SQL, default
        NULL) when they conflict. Adds n_input_rows and is_conflicting. -#}
    count(*) as n_input_rows,
    {%- for column in value_columns %}
    case when {{ values_agree(column) }} then max({{ column }}) else {{ on_conflict.get(column, 'null') }} end as {{ column }},
    {%- endfor %}
    not ({% for column in value_columns %}{{ values_agree(column) }}{{ " and " if not loop.last }}{% endfor %}) as is_conflicting
{%- endmacro %}


{% macro values_agree(column) -%}
    (count({{ column }}) = 0 or (count({{ column }}) = count(*) and min({{ column }}) = max({{ column }})))
{%- endmacro %}


{% macro has_key(key_columns, alias=none) -%}
    {%- for column in key_columns -%}
        {{ alias ~ '.' if alias }}{{ column }} is not null{{ " and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro same_key(key_columns, left, right) -%}
    {%- for column in key_columns -%}
        {{ left }}.{{ column }} = {{ right }}.{{ column }}{{ " and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro duplicated_rows_collapsed(file) -%}
    {#- One row per key that occurs on several rows of stg_<file>: the key, n_input_rows, each
        value column and is_conflicting, as collapse_duplicates gives them. -#}
    {%- set relation = ref('stg_' ~ file) -%}
    {%- set identity = input_row_identity(file) -%}
    {%- set key_columns = identity.key_columns -%}
    {#- Keys are first grouped by their hash, one integer (11M reading keys: 0.95 instead of
        1.47 s); a hash shared by two keys only sends both to the exact grouping below, which
        keeps the keys that really occur more than once. -#}
    {%- set key_hash = 'hash(' ~ key_columns | join(', ') ~ ')' -%}
    with duplicated_hashes as (
        select {{ key_hash }} as key_hash
        from {{ relation }}
        where {{ has_key(key_columns) }}
        group by {{ key_hash }}
        having count(*) > 1
    )

    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        {{ collapse_duplicates(identity.value_columns, identity.get('on_conflict', {})) }}
    from {{ relation }}
    where {{ has_key(key_columns) }}
        and {{ key_hash }} in (select key_hash from duplicated_hashes)
    group by {{ key_columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}


{% macro deduplicated_rows(file) -%}
    {#- One row per key of stg_<file>: its rows whose key occurs once, as they are, and the
        collapsed rows of int_<file>_duplicated. -#}
    {%- set relation = ref('stg_' ~ file) -%}
    {%- set duplicates = ref('int_' ~ file ~ '_duplicated') -%}
    {%- set identity = input_row_identity(file) -%}
    {%- set key_columns = identity.key_columns -%}
    {%- set value_columns = identity.value_columns -%}
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
    left join {{ duplicates }} as duplicates
        on {{ same_key(key_columns, 'input_rows', 'duplicates') }}
    where {{ has_key(key_columns, 'input_rows') }} and duplicates.{{ key_columns[0] }} is null
    union all
    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        n_input_rows,
        {%- for column in value_columns %}
        {{ column }},
        {%- endfor %}
        is_conflicting
    from {{ duplicates }}
{%- endmacro %}
