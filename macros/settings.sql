{#- Thresholds come from dbt vars (dbt_project.yml), read through these macros only:
    the cast happens in SQL, so no arithmetic is ever done on floats in Jinja. -#}

{% macro setting(name) -%}
    cast({{ var(name) }} as decimal(18, 4))
{%- endmacro %}

{% macro setting_days(name) -%}
    cast({{ var(name) }} as integer)
{%- endmacro %}

{% macro setting_integer(name) -%}
    cast({{ var(name) }} as integer)
{%- endmacro %}
