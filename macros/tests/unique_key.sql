{% test unique_key(model, columns) %}
    {#- Fails with each key of `columns` that occurs more than once: the model's grain. -#}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
