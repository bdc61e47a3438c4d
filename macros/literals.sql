{#- Text pasted into SQL (a path, a header name, a keyword, a setting's value) as a string
    literal, escaped for the engine: data, never code. None is SQL null. -#}

{% macro string_literal(text) -%}
    {{ return(adapter.dispatch('string_literal', 'lesionwise')(text)) }}
{%- endmacro %}

{% macro default__string_literal(text) -%}
    {{ return("null" if text is none else "'" ~ (text | string) | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__string_literal(text) -%}
    {#- Spark SQL escapes with a backslash ('' is two adjacent literals). -#}
    {{ return("null" if text is none else "'" ~ (text | string) | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
