{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}
{%- set date_columns = ['metastatic_diagnosis_date', 'inclusion_date', 'treatment_end_date',
                        'last_contact_date', 'death_date'] -%}

with source_rows as (
    {{ select_input('patients') }}
),

parsed as (
    select
        patient_id,
        study_id,
        sex as sex_input,
        {{ coded('sex', 'sex') }} as sex,
        age as age_input,
        {{ parse_integer('age') }} as age,
        primary_tumor,
        prior_lines as prior_lines_input,
        {{ parse_integer('prior_lines') }} as prior_lines,
        regimen,
        {%- for column in date_columns %}
        {{ column }} as {{ column }}_input,
        {{ parse_date(column) }} as {{ column }},
        {%- endfor %}
        exclusion_reason
    from source_rows
),

typed as (
    select
        patient_id,
        study_id,
        sex,
        {{ invalid_text('sex_input', 'sex') }} as sex_text,
        age,
        {{ invalid_text('age_input', 'age') }} as age_text,
        primary_tumor,
        prior_lines,
        {{ invalid_text('prior_lines_input', 'prior_lines') }} as prior_lines_text,
        regimen,
        {%- for column in date_columns %}
        {{ column }},
        {{ invalid_text(column ~ '_input', column) }} as {{ column }}_text,
        {%- endfor %}
        exclusion_reason
    from parsed
)

select * from typed
