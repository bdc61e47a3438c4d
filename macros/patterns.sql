{% macro folded(text) -%}
    {#- `text` in lower case without accents (`Ganglion médiastinal` -> `ganglion mediastinal`),
        for matching site keywords. -#}
    {{ return(adapter.dispatch('folded', 'lesionwise')(text)) }}
{%- endmacro %}

{% macro default__folded(text) -%}
    strip_accents(lower({{ text }}))
{%- endmacro %}

{% macro spark__folded(text) -%}
    {#- Spark has no strip_accents: the accented Latin letters of European languages, one for
        one, then the two ligatures French writes (coeur, caecum). -#}
    replace(replace(translate(lower({{ text }}),
        'àáâãäåāăąçćčďèéêëēĕėęěìíîïīĭįıñńňòóôõöøōŏőùúûüūŭůűųýÿźżž',
        'aaaaaaaaacccdeeeeeeeeeiiiiiiiinnnooooooooouuuuuuuuuyyzzz'), 'œ', 'oe'), 'æ', 'ae')
{%- endmacro %}
