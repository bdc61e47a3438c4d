{% test constraints_hold(model) %}
    {#- The not_null and check constraints of the model's columns (its YAML), as a data test
        for engines that do not enforce them when writing the table: Spark enforces none on
        Parquet tables. DuckDB does (a violating row fails the model's build), so there the
        test is disabled. Fails with each row that breaks a constraint. -#}
    {{ config(enabled = target.type != 'duckdb') }}
    {%- set violations = [] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                       | selectattr('alias', 'equalto', model.identifier) | first -%}
        {%- for column in node.columns.values() -%}
            {%- for constraint in column.constraints -%}
                {%- if constraint.type == 'not_null' -%}
                    {%- do violations.append(column.name ~ ' is null') -%}
                {%- elif constraint.type == 'check' -%}
                    {%- do violations.append('not (' ~ constraint.expression ~ ')') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif %}
    select *
    from {{ model }}
    where {{ violations | join('\n        or ') if violations else 'false' }}
{% endtest %}
