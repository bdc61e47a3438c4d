{%- set date_columns = ['metastatic_diagnosis_date', 'inclusion_date', 'treatment_end_date',
                        'last_contact_date', 'death_date'] -%}

with source_rows as (
    {{ select_input('patients') }}
),

typed as (
    select
        patient_id,
        study_id,
        {{ coded('sex', 'sex') }} as sex,
        sex as sex_text,
        {{ parse_integer('age') }} as age,
        age as age_text,
        primary_tumor,
        {{ parse_integer('prior_lines') }} as prior_lines,
        prior_lines as prior_lines_text,
        regimen,
        {%- for column in date_columns %}
        {{ parse_date(column) }} as {{ column }},
        {{ column }} as {{ column }}_text,
        {%- endfor %}
        exclusion_reason
    from source_rows
)

select * from typed
