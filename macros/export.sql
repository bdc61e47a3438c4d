{#- The Parquet export: `make build EXPORT=<folder>` (LESIONWISE_EXPORT), on any target. -#}

{% macro export_contract_tables(results) -%}
    {#- After a build without errors, writes each model with an enforced contract to
        <LESIONWISE_EXPORT>/<model>.parquet: one file on DuckDB, a folder of Parquet files on
        Spark (`lesionwise build` makes a local one a single file). Does nothing without
        LESIONWISE_EXPORT. Runs as the project's on-run-end hook. -#}
    {%- set folder = env_var('LESIONWISE_EXPORT', '').rstrip('/') -%}
    {%- if execute and folder -%}
        {%- set failed = [] -%}
        {%- for result in results if result.status in ('error', 'fail', 'runtime error') -%}
            {%- do failed.append(result.node.name) -%}
        {%- endfor -%}
        {%- if failed -%}
            {{ log('No Parquet export: ' ~ failed | join(', ') ~ ' failed', info=true) }}
        {%- else -%}
            {%- for node in graph.nodes.values()
                    if node.resource_type == 'model' and node.config.contract.enforced -%}
                {%- set relation = adapter.get_relation(database=node.database, schema=node.schema,
                                                        identifier=node.alias) -%}
                {%- if relation is not none -%}
                    {%- do run_query(export_table_sql(relation, folder ~ '/' ~ node.name ~ '.parquet')) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{% macro export_table_sql(relation, path) -%}
    {{ return(adapter.dispatch('export_table_sql', 'lesionwise')(relation, path)) }}
{%- endmacro %}

{% macro default__export_table_sql(relation, path) -%}
    copy (select * from {{ relation }}) to {{ string_literal(path) }} (format parquet)
{%- endmacro %}

{% macro spark__export_table_sql(relation, path) -%}
    {#- One task writes one Parquet file, in a folder named <model>.parquet. -#}
    insert overwrite directory {{ string_literal(path) }} using parquet
    select /*+ COALESCE(1) */ * from {{ relation }}
{%- endmacro %}
