{#- Several readers (docs/readers.md): every reading is keyed by its reader_key ('' = the one
    reader of a folder without readers); the contract tables are the chosen reader's. -#}

{% macro check_reader_setting() -%}
    {#- Stops the build with one message when the var `reader` names no reader of
        measurements.csv (run at the start of each build, after check_input_folder). -#}
    {%- set chosen = var('reader') | string -%}
    {%- if execute and chosen -%}
        {%- set readers = input_readers() -%}
        {%- if chosen not in readers -%}
            {{ exceptions.raise_compiler_error(
                "The setting reader is '" ~ chosen ~ "', which no row of measurements.csv names; "
                ~ ("its readers are: " ~ readers | join(', ') if readers else "the file has no reader column values")
                ~ " (docs/readers.md).") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro input_readers() -%}
    {#- The distinct non-empty reader names of measurements.csv, sorted. -#}
    {%- if 'reader' not in (input_file_columns('measurements') or []) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = adapter.dispatch('input_readings_relation', 'lesionwise')() -%}
    {%- set query = 'select distinct trim(reader) as reader from ' ~ relation
        ~ " where reader is not null and trim(reader) <> '' order by 1" -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{% macro default__input_readings_relation() -%}
    {{ return(read_input_file('measurements', input_file('measurements'))) }}
{%- endmacro %}

{% macro spark__input_readings_relation() -%}
    {{ return(graph.sources['source.lesionwise.input.measurements'].schema ~ '.measurements') }}
{%- endmacro %}

{% macro chosen_reader_rows(relation) -%}
    {#- The rows of `relation` (a model with reader_key) that belong to the chosen reader. -#}
    select rows_read.*
    from {{ relation }} as rows_read
    inner join {{ ref('int_readers_listed') }} as readers
        on rows_read.reader_key = readers.reader_key
    where readers.is_chosen
{%- endmacro %}

{% macro assigned_to_readers(file) -%}
    {#- The rows of int_<file>_deduplicated as each reader of int_readers_listed reads them: a
        reader's own rows, and the rows without a reader ('') for the keys that reader gave no
        row of its own. A folder without readers keeps its rows as they are. -#}
    {%- set relation = ref('int_' ~ file ~ '_deduplicated') -%}
    {%- set identity = input_row_identity(file) -%}
    {%- set key_columns = identity.key_columns | reject('equalto', 'reader_key') | list -%}
    {%- set columns = key_columns + ['n_input_rows'] + identity.value_columns + ['is_conflicting'] -%}
    with readers as (
        select reader_key from {{ ref('int_readers_listed') }}
    ),

    own as (
        select rows_read.*
        from {{ relation }} as rows_read
        inner join readers on rows_read.reader_key = readers.reader_key
    ),

    shared as (
        select readers.reader_key as reader_for, rows_read.*
        from {{ relation }} as rows_read
        cross join readers
        where rows_read.reader_key = '' and readers.reader_key <> ''
    ),

    shared_kept as (
        select shared.*
        from shared
        left join own
            on shared.reader_for = own.reader_key
            and {{ same_key(key_columns, 'shared', 'own') }}
        where own.reader_key is null
    )

    select reader_key, {{ columns | join(', ') }} from own
    union all
    select reader_for as reader_key, {{ columns | join(', ') }} from shared_kept
{%- endmacro %}

{% macro chosen_reader_mart(by_reader_model) -%}
    {#- A contract mart: the columns this model declares (models/marts/_marts.yml), from the
        rows of its *_by_reader mart that belong to the chosen reader. -#}
    select
        {%- for column in model.columns %}
        rows_read.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref(by_reader_model) }} as rows_read
    inner join {{ ref('int_readers_listed') }} as readers
        on coalesce(rows_read.reader, '') = readers.reader_key
    where readers.is_chosen
{%- endmacro %}
