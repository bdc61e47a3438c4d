{#- One row per patient_id of patients.csv: identical copies count once, conflicting values
    become NULL. A death or last contact before inclusion is treated as missing. -#}
{%- set value_columns = input_row_identity('patients').value_columns -%}

with collapsed as (
    {{ deduplicated_rows('patients') }}
),

dated as (
    select
        patient_id,
        n_input_rows,
        {%- for column in value_columns if column not in ('death_date', 'last_contact_date') %}
        {{ column }},
        {%- endfor %}
        is_conflicting,
        case when death_date < inclusion_date then death_date end as death_date_before_inclusion,
        case when last_contact_date < inclusion_date then last_contact_date end as last_contact_date_before_inclusion,
        case when not death_date < inclusion_date or inclusion_date is null then death_date end as death_date,
        case when not last_contact_date < inclusion_date or inclusion_date is null then last_contact_date end as last_contact_date
    from collapsed
)

select * from dated
