{#- One row per new lesion per evaluation of new_lesions.csv (optional; iRECIST), typed as
    measurements.csv: no row when the file is absent. `diameter_mm` is the value the rules use: the
    measured diameter when it is valid, the status's value for too_small / absent, else NULL.
    Each *_text column holds the input text only where it is not valid (for data_issues). -#}

with source_rows as (
    {{ select_input('new_lesions', ['reader']) }}
),

typed as (
    select
        {#- '' = the one reader of a folder without readers (docs/readers.md) #}
        coalesce(reader, '') as reader_key,
        patient_id,
        lesion_id,
        site,
        {{ typed_column('assessment_date', plausible_date(parse_date('assessment_date'))) }},
        diameter_mm as diameter_input,
        {{ parse_decimal('diameter_mm') }} as diameter_number,
        {{ typed_column('status', coded("coalesce(status, 'measured')", 'status')) }}
    from source_rows
),

checked as (
    select
        *,
        {{ diameter_problem('diameter_input', 'diameter_number') }} as diameter_problem
    from typed
),

valued as (
    select
        reader_key,
        patient_id,
        lesion_id,
        site,
        assessment_date,
        assessment_date_text,
        status,
        status_text,
        case when diameter_problem is not null then diameter_input end as diameter_text,
        diameter_problem,
        {{ rule_value_mm('status', 'diameter_number', 'diameter_problem') }} as diameter_mm
    from checked
)

select * from valued
