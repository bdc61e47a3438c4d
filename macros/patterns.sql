{% macro contains_word_start(text, word) -%}
    {#- True when `word` (an expression) starts a word of `text`, case-insensitive. -#}
    {{ return(adapter.dispatch('contains_word_start', 'lesionwise')(text, word)) }}
{%- endmacro %}

{% macro default__contains_word_start(text, word) -%}
    regexp_matches(lower({{ text }}), '(^|[^a-z])' || {{ word }})
{%- endmacro %}

{% macro spark__contains_word_start(text, word) -%}
    lower({{ text }}) rlike concat('(^|[^a-z])', {{ word }})
{%- endmacro %}
