{#- Text pasted into SQL (a path, a setting's value) as a string literal, escaped for the engine. -#}

{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal', 'lesionwise')(text)) }}
{%- endmacro %}

{% macro default__text_literal(text) -%}
    {%- if text is none -%}
        null
    {%- else -%}
        '{{ (text | string).replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__text_literal(text) -%}
    {{ seed_literal(text) }}
{%- endmacro %}
