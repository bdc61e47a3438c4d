{#- One row per patient_id of patients.csv: identical copies count once, conflicting values
    become NULL. A death or last contact before inclusion is treated as missing. -#}
{%- set value_columns = ['study_id', 'sex', 'sex_text', 'age', 'age_text', 'primary_tumor',
    'prior_lines', 'prior_lines_text', 'regimen', 'metastatic_diagnosis_date',
    'metastatic_diagnosis_date_text', 'inclusion_date', 'inclusion_date_text',
    'treatment_end_date', 'treatment_end_date_text', 'last_contact_date',
    'last_contact_date_text', 'death_date', 'death_date_text', 'exclusion_reason'] -%}

with patient_rows as (
    select * from {{ ref('stg_patients') }}
    where patient_id is not null
),

collapsed as (
    {{ collapse_duplicate_rows('patient_rows', ['patient_id'], value_columns) }}
),

dated as (
    select
        patient_id,
        n_input_rows,
        {%- for column in value_columns if column not in ('death_date', 'last_contact_date') %}
        {{ column }},
        {%- endfor %}
        is_conflicting,
        death_date < inclusion_date as is_death_before_inclusion,
        last_contact_date < inclusion_date as is_last_contact_before_inclusion,
        case when not death_date < inclusion_date or inclusion_date is null then death_date end as death_date,
        case when not last_contact_date < inclusion_date or inclusion_date is null then last_contact_date end as last_contact_date
    from collapsed
)

select * from dated
