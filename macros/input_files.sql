{#- Reading the input folder: which files and columns are there, and one select per file. -#}

{% macro input_dir() -%}
    {#- The input folder; the same default as the `input` source's external_location. -#}
    {{ return(env_var('LESIONWISE_INPUT', 'data/demo')) }}
{%- endmacro %}

{% macro input_file_path(table_name) -%}
    {{ input_dir() }}/{{ table_name }}.csv
{%- endmacro %}


{% macro input_file_columns(table_name) -%}
    {#- The lower-case header names of an input file, or none when the file is absent. -#}
    {{ return(adapter.dispatch('input_file_columns', 'lesionwise')(table_name)) }}
{%- endmacro %}

{% macro default__input_file_columns(table_name) -%}
    {%- set path = input_file_path(table_name) -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set options = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'" -%}
    {%- set header = run_query("describe select * from read_csv('" ~ path ~ "', " ~ options ~ ")") -%}
    {{ return(header.columns[0].values() | map('lower') | map('trim') | list) }}
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
    {#- DuckDB reads the files where they are (the source's external_location). -#}
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
                     ~ "options (path '" ~ folder ~ "', recursiveFileLookup 'true')") -%}
    {%- set files = [] -%}
    {%- for path in run_query('select path from lesionwise_input_files').columns[0].values() -%}
        {%- do files.append(path.split(folder ~ '/')[-1]) -%}
    {%- endfor -%}
    {%- for table in input_tables() -%}
        {%- set relation = table.schema ~ '.' ~ table.name -%}
        {%- set parquet = table.name ~ '.parquet' -%}
        {%- set parquet_files = [] -%}
        {%- for file in files if file == parquet or file.startswith(parquet ~ '/') -%}
            {%- do parquet_files.append(file) -%}
        {%- endfor -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- if table.name ~ '.csv' in files -%}
            {%- do run_query("create table " ~ relation ~ " using csv options (path '" ~ folder ~ "/"
                ~ table.name ~ ".csv', header 'true', delimiter ',', quote '\"', escape '\"', multiLine 'true')") -%}
        {%- elif parquet_files -%}
            {%- do run_query("create table " ~ relation ~ " using parquet options (path '" ~ folder ~ "/" ~ parquet ~ "')") -%}
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
    {#- Stops the build with one message when a required file or column is missing. -#}
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
                    and column.meta.get('required') and column.name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Input file " ~ table.name ~ ".csv has no column '" ~ column.name
                    ~ "': it is required (see docs/input-format.md); its header is: " ~ present | join(', ')) }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{% macro select_input(table_name) -%}
    {#- Every column the contract lists for an input file, as trimmed text (empty = NULL);
        a column absent from the file is NULL, an absent optional file gives no rows. -#}
    {%- set relation = source('input', table_name) -%}
    {%- set present = input_file_columns(table_name) if execute else [] -%}
    {%- set columns = contract_columns(table_name) if execute else [] -%}
    select
    {%- for column in columns %}
        {% if present is not none and column in present -%}
            {{ trimmed_text(input_text(adapter.quote(column))) }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    {%- if present is none %}
    from (select 1 as no_file) as absent_file where 1 = 0
    {%- else %}
    from {{ relation }}
    {%- endif %}
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
