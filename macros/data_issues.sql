{% macro quoted(text) -%}
    {#- A value as it appears in a message: 'value'. -#}
    '''' || {{ text }} || ''''
{%- endmacro %}


{% macro data_issue_rows(check) -%}
    {#- The data_issues rows of one check: a dict with relation, file, rule, where and
        message (SQL), optionally patient, lesion, date, reader (SQL; defaults patient_id,
        NULL, NULL, NULL), rule_sql and file_sql (SQL expressions for the rule and the file instead of
        the literals). -#}
    select
        cast({{ check.get('file_sql', "'" ~ check.file ~ "'") }} as {{ dbt.type_string() }}) as source_file,
        cast({{ check.get('patient', 'patient_id') }} as {{ dbt.type_string() }}) as patient_id,
        cast({{ check.get('lesion', 'null') }} as {{ dbt.type_string() }}) as lesion_id,
        cast({{ check.get('date', 'null') }} as date) as assessment_date,
        cast({{ check.get('rule_sql', "'" ~ check.rule ~ "'") }} as {{ dbt.type_string() }}) as rule,
        cast({{ check.message }} as {{ dbt.type_string() }}) as message,
        cast({{ check.get('reader', 'null') }} as {{ dbt.type_string() }}) as reader
    from {{ check.relation }}
    where {{ check.where }}
{%- endmacro %}
