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
        {%- for table in input_tables() -%}
            {%- set present = input_file_columns(table.name) -%}
            {%- if present is none and table.meta.get('required') -%}
                {{ exceptions.raise_compiler_error(
                    "Input file " ~ table.name ~ ".csv is missing in " ~ input_dir()
                    ~ ": it is required (see the data contract); check the folder passed as INPUT.") }}
            {%- endif -%}
            {%- for column in table.columns.values() if present is not none
                    and column.meta.get('required') and column.name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Input file " ~ table.name ~ ".csv has no column '" ~ column.name
                    ~ "': it is required (see the data contract); its header is: " ~ present | join(', ')) }}
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
            nullif(trim({{ adapter.quote(column) }}), '')
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
