{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}
{%- set date_columns = ['metastatic_diagnosis_date', 'inclusion_date', 'treatment_end_date',
                        'last_contact_date', 'death_date'] -%}

with source_rows as (
    {{ select_input('patients') }}
),

typed as (
    select
        patient_id,
        study_id,
        {{ typed_column('sex', coded('sex', 'sex')) }},
        {{ typed_column('age', parse_integer('age')) }},
        primary_tumor,
        {{ typed_column('prior_lines', parse_integer('prior_lines')) }},
        regimen,
        {%- for column in date_columns %}
        {{ typed_column(column, plausible_date(parse_date(column))) }},
        {%- endfor %}
        exclusion_reason
    from source_rows
)

select * from typed
