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
    {#- A date in the date format of the build (var date_format; empty = ISO YYYY-MM-DD);
        anything else (other formats, 2021-02-30) is NULL. -#}
    {{ return(parse_date_as(text, var('date_format') or '')) }}
{%- endmacro %}


{% macro parse_date_as(text, date_format) -%}
    {#- A date written as `date_format` (a strftime pattern, see date_format_parts; empty =
        ISO YYYY-MM-DD), else NULL. Other formats are read with regular expressions on both
        engines, so that DuckDB and Spark accept exactly the same texts. -#}
    {%- if not date_format -%}
        case when {{ full_match(text, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }} then try_cast({{ text }} as date) end
    {%- else -%}
        {%- set parts = date_format_parts(date_format) -%}
        {%- set field = {} -%}
        {%- for directive in parts.fields -%}
            {%- do field.update({directive: "regexp_extract(" ~ text ~ ", '^" ~ parts.regex ~ "$', " ~ loop.index ~ ")"}) -%}
        {%- endfor -%}
        {%- if 'Y' in field -%}
            {%- set year = field['Y'] -%}
        {%- else -%}
            {#- two-digit years as POSIX strptime reads them: 69-99 are 1969-1999, 00-68 are 2000-2068 -#}
            {%- set year = "cast(cast(" ~ field['y'] ~ " as integer) + case when cast(" ~ field['y']
                ~ " as integer) >= 69 then 1900 else 2000 end as " ~ dbt.type_string() ~ ")" -%}
        {%- endif -%}
        case when {{ full_match(text, parts.regex) }} then try_cast(concat({{ year }}, '-',
            lpad({{ field['m'] }}, 2, '0'), '-', lpad({{ field['d'] }}, 2, '0')) as date) end
    {%- endif -%}
{%- endmacro %}


{% macro date_format_parts(date_format) -%}
    {#- A strftime date pattern as a regular expression with one group per field, in order,
        and the fields' directives: %d day, %m month (1 or 2 digits each), %Y four-digit
        year, %y two-digit year, %% a percent sign; between them letters, digits, spaces and
        / . - : , as written. Anything else stops the build with one message. -#}
    {%- set groups = {'d': '([0-9]{1,2})', 'm': '([0-9]{1,2})', 'Y': '([0-9]{4})', 'y': '([0-9]{2})'} -%}
    {%- set parsed = namespace(regex='', fields=[], after_percent=false) -%}
    {%- for char in date_format -%}
        {%- if parsed.after_percent -%}
            {%- if char in groups -%}
                {%- set parsed.regex = parsed.regex ~ groups[char] -%}
                {%- do parsed.fields.append(char) -%}
            {%- elif char == '%' -%}
                {%- set parsed.regex = parsed.regex ~ '[%]' -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(date_format_error(date_format, "%" ~ char ~ " is not supported")) }}
            {%- endif -%}
            {%- set parsed.after_percent = false -%}
        {%- elif char == '%' -%}
            {%- set parsed.after_percent = true -%}
        {%- elif char.isalnum() -%}
            {%- set parsed.regex = parsed.regex ~ char -%}
        {%- elif char in ' /.-:,' -%}
            {%- set parsed.regex = parsed.regex ~ '[' ~ char ~ ']' -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(date_format_error(date_format, "'" ~ char ~ "' is not a supported separator")) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if parsed.after_percent or parsed.fields | sort(case_sensitive=true) | join('') not in ('Ydm', 'dmy') -%}
        {{ exceptions.raise_compiler_error(date_format_error(date_format, "it needs %d, %m and %Y (or %y) once each")) }}
    {%- endif -%}
    {{ return({'regex': parsed.regex, 'fields': parsed.fields}) }}
{%- endmacro %}


{% macro date_format_error(date_format, problem) -%}
    {{ return("date format '" ~ date_format ~ "': " ~ problem ~ "; supported are %d, %m, %Y, %y and "
              ~ "the separators / . - : , and space, e.g. '%d/%m/%Y' (docs/input-format.md)") }}
{%- endmacro %}


{% macro plausible_date(value) -%}
    {#- A date from var earliest_plausible_date to the day of the build (var build_date, empty
        = today), else NULL (an implausible date is treated as missing). -#}
    case when {{ value }} between cast('{{ var('earliest_plausible_date') }}' as date) and {{ build_date() }} then {{ value }} end
{%- endmacro %}


{% macro build_date() -%}
    {%- if var('build_date') -%}
        cast('{{ var('build_date') }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
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
