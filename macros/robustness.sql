{#- Measurement error for `lesionwise robustness` (models/robustness): every reading redrawn
    with a multiplicative log-normal error, reproducibly from a hash of its keys. -#}

{% macro built_mart(name) -%}
    {#- A contract mart of the finished build, which the `robustness` target attaches read-only
        as `marts` (a plain name, not a source: dbt-spark rejects any source with a database). -#}
    marts.main.{{ name }}
{%- endmacro %}


{% macro log_error_sd(value_mm) -%}
    {#- The SD on the log scale of the error of a reading: sqrt(ln(1 + c^2)) with
        c = greatest(robustness_cv, robustness_floor_mm / value), so that the redrawn reading
        is log-normal with coefficient of variation c: cv for a large lesion, and an SD of at
        least about floor_mm for a small one. 0 for a reading of 0 (it stays 0). -#}
    case when {{ value_mm }} > 0 then sqrt(ln(1 + power(greatest(
        cast({{ setting('robustness_cv') }} as double),
        cast({{ setting('robustness_floor_mm') }} as double) / cast({{ value_mm }} as double)), 2))) end
{%- endmacro %}


{% macro key_hash(columns) -%}
    {#- A 64-bit hash of a reading's key: of one text joining the key columns (DuckDB's
        hash of several arguments mixes them too little: neighbouring keys came out
        correlated). -#}
    hash({% for column in columns %}{% if not loop.first %} || '|' || {% endif %}cast({{ column }} as {{ dbt.type_string() }}){% endfor %})
{%- endmacro %}


{% macro draw_hash(key_hash, draw) -%}
    {#- A 64-bit hash of a reading's key hash, the seed and the draw: the key hash xor a hash
        of (seed, draw), hashed again so that every bit of each depends on every bit of both. -#}
    hash(xor({{ key_hash }}, hash({{ var('robustness_seed') }}, {{ draw }})))
{%- endmacro %}


{% macro redrawn_reading(value_mm, log_sd, draw_hash) -%}
    {#- value x exp(sd x z), rounded to the contract's decimals, z a standard normal deviate
        by Box-Muller from the two 32-bit halves of `draw_hash`: its median is the reading
        itself; 0 and NULL stay as they are. -#}
    cast(case
        when {{ log_sd }} is null then {{ value_mm }}
        else round(cast({{ value_mm }} as double) * exp({{ log_sd }}
            * sqrt(-2 * ln((({{ draw_hash }} >> 32) + 0.5) / 4294967296.0))
            * cos(2 * pi() * (({{ draw_hash }} & 4294967295) + 0.5) / 4294967296.0)),
            {{ var('diameter_decimals') }})
    end as decimal(9, 2))
{%- endmacro %}


{% macro share(count, total) -%}
    {#- count / total, 4 decimals. -#}
    cast(round({{ divide(count, total) }}, 4) as decimal(6, 4))
{%- endmacro %}


{% macro cohort_measures() -%}
    {#- The cohort measures of `lesionwise robustness`: name -> the condition on a patient's
        dr_type and best_overall_response; each is a share of the eligible patients. -#}
    {{ return({
        'dr_any': "dr_type is not null",
        'dr1': "dr_type = 'DR1'",
        'dr2': "dr_type = 'DR2'",
        'dr3': "dr_type = 'DR3'",
        'orr': "best_overall_response in ('CR', 'PR')",
    }) }}
{%- endmacro %}


{% macro cohort_shares(relation, by_draw=true) -%}
    {#- One row per cohort measure (per draw when `by_draw`) of `relation`, patients with
        dr_type and best_overall_response (and draw): the measure's share of its rows. -#}
    {%- for measure, condition in cohort_measures().items() %}
    {% if not loop.first %}union all{% endif %}
    select
        {% if by_draw %}draw, {% endif %}'{{ measure }}' as measure,
        {{ divide('count(case when ' ~ condition ~ ' then 1 end)', 'count(*)') }} as share
    from {{ relation }}
    {% if by_draw %}group by draw{% endif %}
    {%- endfor %}
{%- endmacro %}
