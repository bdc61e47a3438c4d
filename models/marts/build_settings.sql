{#- The vars in force for this build, `--vars` overrides included, beside the description
    and unit seeds/setting_descriptions.csv gives each. -#}
{%- set names = run_query('select name from ' ~ ref('setting_descriptions') ~ ' order by name').columns[0].values()
    if execute else [] -%}

with described as (
    select * from {{ ref('setting_descriptions') }}
),

in_force as (
    {%- for name in names %}
    {%- set value = var(name) %}
    select
        {{ string_literal(name) }} as name,
        {{ string_literal(value if value is string else value | tojson) }} as value
    {{- " union all" if not loop.last }}
    {%- endfor %}
    {%- if not names %}
    select cast(null as {{ dbt.type_string() }}) as name, cast(null as {{ dbt.type_string() }}) as value
    {%- endif %}
),

settings as (
    select
        cast(in_force.name as {{ dbt.type_string() }}) as name,
        cast(in_force.value as {{ dbt.type_string() }}) as value,
        cast(described.unit as {{ dbt.type_string() }}) as unit,
        cast(described.description as {{ dbt.type_string() }}) as description
    from in_force
    inner join described on described.name = in_force.name
)

select * from settings
