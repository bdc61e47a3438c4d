{#- Casts of input text. Each returns NULL when the text does not parse, so staging can
    report the value instead of failing. -#}

{% macro full_match(text, pattern) -%}
    {{ return(adapter.dispatch('full_match', 'lesionwise')(text, pattern)) }}
{%- endmacro %}

{% macro default__full_match(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__full_match(text, pattern) -%}
    {#- Java regular expressions find a match anywhere: anchor it. `\z` is the very end
        (`$` would also match before a final line break). -#}
    {{ text }} rlike '^(?:{{ pattern }})\\z'
{%- endmacro %}


{% macro parse_date(text) -%}
    {#- An ISO date YYYY-MM-DD; anything else (other formats, 2021-02-30) is NULL. -#}
    case when {{ full_match(text, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }} then try_cast({{ text }} as date) end
{%- endmacro %}


{% macro parse_decimal(text) -%}
    {#- A plain decimal number with a decimal point (no exponent, no thousands separator). -#}
    case when {{ full_match(text, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)') }} then try_cast({{ text }} as decimal(18, 6)) end
{%- endmacro %}


{% macro parse_integer(text) -%}
    case when {{ full_match(text, '[+-]?[0-9]+') }} then try_cast({{ text }} as integer) end
{%- endmacro %}


{% macro parse_boolean(text) -%}
    case
        when lower({{ text }}) in ('true', 't', 'yes', 'y', '1') then true
        when lower({{ text }}) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}


{% macro invalid_text(text, value) -%}
    {#- The input text of a value that did not parse or is not in its code list, for
        data_issues to quote; NULL when the value is valid or the text is empty. Staging
        carries no copy of valid text (11 million readings at 1M patients). -#}
    case when ({{ value }}) is null then {{ text }} end
{%- endmacro %}


{% macro typed_column(column, value) -%}
    {#- Two select items for an input column: `value` (its typed or coded SQL) as `column`,
        and its invalid text as `<column>_text`. In the same select list `column` still names
        the input text, and the engine evaluates `value` once (common subexpression). -#}
    {{ value }} as {{ column }},
    {{ invalid_text(column, value) }} as {{ column }}_text
{%- endmacro %}


{% macro diameter_problem(diameter_input, diameter_number) -%}
    {#- What is wrong with a diameter of measurements.csv or new_lesions.csv (rule
        diameter_problem of data_issues), NULL when nothing. -#}
    case
        when {{ diameter_input }} is not null and {{ diameter_number }} is null then 'unparseable_number'
        when {{ diameter_number }} < 0 then 'negative_diameter'
        when {{ diameter_number }} > {{ setting('max_plausible_diameter_mm') }} then 'implausible_diameter'
        when {{ diameter_number }} <> round({{ diameter_number }}, {{ var('diameter_decimals') }}) then 'too_many_decimals'
    end
{%- endmacro %}


{% macro rule_value_mm(status, diameter_number, diameter_problem) -%}
    {#- The value the rules use: the measured diameter when it is valid, the status's value
        for too_small / absent, else NULL. Each branch is cast on its own: a CASE over
        DECIMAL(18, 6) and DECIMAL(18, 4) is computed in 128-bit DECIMAL(20, 6), 3 s of CPU
        on 11M readings (a valid diameter has at most 2 decimals and at most 1000 mm, so the
        cast is exact). -#}
    cast(case
        when {{ status }} = 'measured' and {{ diameter_problem }} is null then cast({{ diameter_number }} as decimal(9, 2))
        when {{ status }} = 'too_small' then cast({{ setting('recist_too_small_mm') }} as decimal(9, 2))
        when {{ status }} = 'absent' then cast({{ setting('recist_absent_mm') }} as decimal(9, 2))
    end as decimal(9, 2))
{%- endmacro %}
