{#- Reading the input folder: which files and columns are there, and one select per file. -#}

{% macro input_dir() -%}
    {#- The input folder: the environment variable LESIONWISE_INPUT, else the demo cohort. -#}
    {{ return(env_var('LESIONWISE_INPUT', 'data/demo')) }}
{%- endmacro %}

{% macro input_file(table_name) -%}
    {#- How to read an input file, as a dict: path, delimiter, decimal_comma (true: `18,5` is
        18.5 in the columns marked `decimal`), columns (the header's names, lower case); none
        when the file is absent. `lesionwise build` detects each file's dialect
        (analysis_py/warehouse/input_files.py) and passes them as JSON in LESIONWISE_INPUT_FILES; without
        it (plain `dbt build`) each file is read in the contract's dialect (UTF-8, comma). -#}
    {%- set detected = env_var('LESIONWISE_INPUT_FILES', '') -%}
    {%- if detected -%}
        {{ return(fromjson(detected).get(table_name)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('contract_dialect_file', 'lesionwise')(table_name)) }}
{%- endmacro %}

{% macro default__contract_dialect_file(table_name) -%}
    {%- set path = input_dir() ~ '/' ~ table_name ~ '.csv' -%}
    {%- set found = run_query('select count(*) from glob(' ~ string_literal(path) ~ ')').columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set header = run_query('describe select * from read_csv(' ~ string_literal(path)
        ~ ", header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', comment = '')") -%}
    {{ return({'path': path, 'delimiter': ',', 'decimal_comma': false,
               'columns': header.columns[0].values() | map('lower') | map('trim') | list}) }}
{%- endmacro %}

{% macro spark__contract_dialect_file(table_name) -%}
    {#- Spark: the file is there when register_input_files made its table. -#}
    {{ return({'path': input_dir().rstrip('/') ~ '/' ~ table_name ~ '.csv', 'delimiter': ',', 'decimal_comma': false}) }}
{%- endmacro %}

{% macro read_input_file(table_name, file) -%}
    {#- DuckDB: the rows of an input file, every column as text, read with an explicit dialect
        (no sniffing): a header, the file's delimiter, quote and escape `"`, no comment
        character (a line starting with # is data). A structurally malformed row (too many or
        too few fields, a quote never closed, bytes that are not UTF-8) is left out and kept
        in the temporary table lesionwise_rejects_<table> for keep_malformed_rows. -#}
    read_csv({{ string_literal(file.path) }}, header = true, auto_detect = false,
        delim = {{ string_literal(file.delimiter) }}, quote = '"', escape = '"', comment = '',
        columns = { {%- for column in file.columns %}{{ string_literal(column) }}: 'varchar'{{ ", " if not loop.last }}{% endfor -%} },
        store_rejects = true, rejects_table = 'lesionwise_rejects_{{ table_name }}',
        rejects_scan = 'lesionwise_scans_{{ table_name }}')
{%- endmacro %}

{% macro input_file_columns(table_name) -%}
    {#- The lower-case header names of an input file, or none when the file is absent. -#}
    {{ return(adapter.dispatch('input_file_columns', 'lesionwise')(table_name)) }}
{%- endmacro %}

{% macro default__input_file_columns(table_name) -%}
    {%- set file = input_file(table_name) -%}
    {{ return(file.columns if file is not none else none) }}
{%- endmacro %}

{% macro spark__input_file_columns(table_name) -%}
    {#- Spark: the columns of the table that register_input_files made for the file. -#}
    {%- set schema = graph.sources['source.lesionwise.input.' ~ table_name].schema -%}
    {%- set tables = run_query('show tables in ' ~ schema).columns[1].values() -%}
    {%- if table_name not in tables -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set header = run_query('select * from ' ~ schema ~ '.' ~ table_name ~ ' limit 0') -%}
    {{ return(header.column_names | map('lower') | map('trim') | list) }}
{%- endmacro %}

{% macro register_input_files() -%}
    {#- Makes the input folder's files readable as the `input` source, where the engine
        needs it (run at the start of each build by check_input_folder). -#}
    {{ return(adapter.dispatch('register_input_files', 'lesionwise')()) }}
{%- endmacro %}

{% macro default__register_input_files() -%}
    {#- DuckDB reads the files where they are (macro read_input_file). -#}
{%- endmacro %}

{% macro spark__register_input_files() -%}
    {#- Spark: one external table per input file present, in the `input` source's schema
        (<target schema>_input): <table>.csv with the contract's dialect, else <table>.parquet
        (a file, or a folder of Parquet files as Spark writes them). The table of an absent
        file is dropped. Dropping an external table leaves its file alone. The folder may be
        any path Spark reads (a local folder, s3a://..., dbfs:/...). -#}
    {%- set folder = input_dir().rstrip('/') -%}
    {%- for schema in input_tables() | map(attribute='schema') | unique -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- endfor -%}
    {#- Every file under the folder, as paths relative to it (binaryFile lists without reading) -#}
    {%- do run_query("create or replace temporary view lesionwise_input_files using binaryFile "
                     ~ "options (path " ~ string_literal(folder) ~ ", recursiveFileLookup 'true')") -%}
    {%- set files = [] -%}
    {%- for path in run_query('select path from lesionwise_input_files').columns[0].values() -%}
        {%- do files.append(path.split(folder ~ '/')[-1]) -%}
    {%- endfor -%}
    {%- set detected = env_var('LESIONWISE_INPUT_FILES', '') -%}
    {%- for table in input_tables() -%}
        {%- set relation = table.schema ~ '.' ~ table.name -%}
        {%- set parquet = table.name ~ '.parquet' -%}
        {%- set parquet_files = [] -%}
        {%- for file in files if file == parquet or file.startswith(parquet ~ '/') -%}
            {%- do parquet_files.append(file) -%}
        {%- endfor -%}
        {%- set csv = input_file(table.name) if detected or table.name ~ '.csv' in files else none -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- if csv is not none -%}
            {#- no comment character (Spark has none unless told); UTF-8 (a Windows-1252 file
                arrives transcoded); a malformed row is read as far as it goes (Spark keeps no
                line numbers to report it with) -#}
            {%- do run_query("create table " ~ relation ~ " using csv options (path " ~ string_literal(csv.path)
                ~ ", header 'true', delimiter " ~ string_literal(csv.delimiter)
                ~ ", quote '\"', escape '\"', encoding 'UTF-8', multiLine 'true')") -%}
        {%- elif parquet_files -%}
            {%- do run_query("create table " ~ relation ~ " using parquet options (path " ~ string_literal(folder ~ "/" ~ parquet) ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro input_tables() -%}
    {#- The input files the contract defines, as nodes of the `input` source. -#}
    {{ return(graph.sources.values() | selectattr('source_name', 'equalto', 'input') | list) }}
{%- endmacro %}

{% macro contract_columns(table_name) -%}
    {#- The columns the contract lists for an input file (the `input` source's YAML). Unit
        tests see no sources in the graph: there the fixture's columns are the file's. -#}
    {%- if 'sources' not in graph -%}
        {{ return(input_file_columns(table_name)) }}
    {%- endif -%}
    {{ return(graph.sources['source.lesionwise.input.' ~ table_name].columns.values() | map(attribute='name') | list) }}
{%- endmacro %}

{% macro check_input_folder() -%}
    {#- Stops the build with one message when a required file or column is missing. A column
        marked `required_column` must be in the header, though its values may be empty. -#}
    {%- if execute -%}
        {%- do register_input_files() -%}
        {%- for table in input_tables() -%}
            {%- set present = input_file_columns(table.name) -%}
            {%- if present is none and table.meta.get('required') -%}
                {{ exceptions.raise_compiler_error(
                    "Input file " ~ table.name ~ ".csv is missing in " ~ input_dir()
                    ~ ": it is required (see docs/input-format.md); check the folder passed as INPUT.") }}
            {%- endif -%}
            {%- for column in table.columns.values() if present is not none
                    and (column.meta.get('required') or column.meta.get('required_column')) and column.name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Input file " ~ table.name ~ ".csv has no column '" ~ column.name
                    ~ "': it is required (see docs/input-format.md); its header is: " ~ present | join(', ')) }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro select_input(table_name, read_columns=[]) -%}
    {#- Every column the contract lists for an input file, as trimmed text (empty = NULL);
        a column absent from the file is NULL, an absent optional file gives no rows. In a
        file with decimal commas, a column marked `decimal` has its comma made a point.
        `read_columns`: optional columns the model reads, NULL too where a unit test's fixture
        (whose columns are the file's) lacks them. -#}
    {%- set relation = source('input', table_name) -%}
    {%- set file = input_file(table_name) if execute else none -%}
    {%- set present = input_file_columns(table_name) if execute else [] -%}
    {%- set columns = contract_columns(table_name) if execute else [] -%}
    {%- set columns = columns + (read_columns | reject('in', columns) | list) -%}
    {%- set decimal_columns = decimal_columns(table_name) if file and file.decimal_comma else [] -%}
    select
    {%- for column in columns %}
        {% if present is not none and column in present -%}
            {%- set text = input_text(adapter.quote(column)) -%}
            {{ trimmed_text("replace(" ~ text ~ ", ',', '.')" if column in decimal_columns else text) }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    {%- if present is none %}
    from (select 1 as no_file) as absent_file where 1 = 0
    {%- else %}
    from {{ input_relation(table_name, relation, file) }}
    {%- endif %}
{%- endmacro %}

{% macro decimal_columns(table_name) -%}
    {#- The columns of an input file marked `decimal` in the `input` source's YAML. -#}
    {%- if 'sources' not in graph -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = graph.sources['source.lesionwise.input.' ~ table_name].columns.values() -%}
    {{ return(columns | selectattr('meta.decimal', 'defined') | map(attribute='name') | list) }}
{%- endmacro %}

{% macro input_relation(table_name, relation, file) -%}
    {#- What a model reads an input file from: the file itself (DuckDB), the table made by
        register_input_files (Spark), or a unit test's fixture (the source). -#}
    {{ return(adapter.dispatch('input_relation', 'lesionwise')(table_name, relation, file)) }}
{%- endmacro %}

{% macro default__input_relation(table_name, relation, file) -%}
    {{ return(read_input_file(table_name, file) if 'sources' in graph else relation) }}
{%- endmacro %}

{% macro spark__input_relation(table_name, relation, file) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro trimmed_text(text) -%}
    {#- `text` without spaces at either end, NULL when nothing is left. Most values have no
        space to trim: those skip trim(), which costs 4x the two tests (11M readings: 4 s CPU). -#}
    case when {{ text }} like ' %' or {{ text }} like '% ' or {{ text }} = '' then nullif(trim({{ text }}), '') else {{ text }} end
{%- endmacro %}

{% macro input_text(column) -%}
    {#- An input column as text: CSV columns already are; a Parquet file's may be typed. -#}
    {{ return(adapter.dispatch('input_text', 'lesionwise')(column)) }}
{%- endmacro %}

{% macro default__input_text(column) -%}
    {{ column }}
{%- endmacro %}

{% macro spark__input_text(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro keep_malformed_rows(model) -%}
    {#- Post-hook of a staging model that reads an input file: its malformed rows (the rejects
        DuckDB's reader kept in this connection) as the table <model>__malformed, one row per
        line, for int_malformed_rows_collected. A whitespace-only line is a blank line, not a
        malformed row. Messages name the line, never its content. The line is DuckDB's: the
        physical line, except that a quoted value spanning lines before it counts as one. -#}
    {{ return(adapter.dispatch('keep_malformed_rows', 'lesionwise')(model)) }}
{%- endmacro %}

{% macro default__keep_malformed_rows(model) -%}
    {%- set table_name = model.identifier[4:] -%}
    {%- set file = input_file(table_name) if execute else none -%}
    create or replace table {{ malformed_relation(model) }} as
    {%- if file is none %}
    select cast(null as varchar) as source_file, cast(null as bigint) as line, cast(null as varchar) as problem
    where false
    {%- else %}
    select
        '{{ table_name }}.csv' as source_file,
        line,
        case
            when bool_or(error_type = 'INVALID ENCODING') then 'has bytes that are not text in the file''s encoding'
            when bool_or(error_message like '%unterminated quote%') then 'opens a quote that is never closed'
                || coalesce(', so the ' || cast(nullif(max(length(rtrim(csv_line, chr(13) || chr(10)))
                    - length(replace(rtrim(csv_line, chr(13) || chr(10)), chr(10), ''))), 0) as varchar)
                    || ' lines after it are part of this unreadable row', '')
            when bool_or(error_type = 'UNQUOTED VALUE') then 'has a quote inside an unquoted value'
            when bool_or(error_type = 'TOO MANY COLUMNS') then 'has more fields than the header'
            when bool_or(error_type = 'MISSING COLUMNS') then 'has fewer fields than the header'
            else 'cannot be read (' || min(error_type) || ')'
        end as problem
    from lesionwise_rejects_{{ table_name }}
    where not regexp_full_match(csv_line, '[ \t\r\n]*')
    group by line
    {%- endif %}
{%- endmacro %}

{% macro malformed_relation(model) -%}
    {#- The table keep_malformed_rows writes for a staging model: <model>__malformed. -#}
    {{ return(model.incorporate(path={'identifier': model.identifier ~ '__malformed'})) }}
{%- endmacro %}

{% macro spark__keep_malformed_rows(model) -%}
    {#- Spark's CSV reader keeps no line numbers: nothing to keep. -#}
{%- endmacro %}

{% macro malformed_rows(staging_models) -%}
    {#- The union of the staging models' <model>__malformed tables: source_file, line, problem. -#}
    {{ return(adapter.dispatch('malformed_rows', 'lesionwise')(staging_models)) }}
{%- endmacro %}

{% macro default__malformed_rows(staging_models) -%}
    {%- for model in staging_models %}
    select source_file, line, problem from {{ malformed_relation(model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro spark__malformed_rows(staging_models) -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as line,
        cast(null as {{ dbt.type_string() }}) as problem
    from (select 1 as no_rows) as none_kept
    where 1 = 0
{%- endmacro %}
