{#- One row per row of import_issues.csv (what the SDTM import imputed or could not map),
    typed like data_issues. -#}

with source_rows as (
    {{ select_input('import_issues') }}
),

typed as (
    select
        source_file,
        patient_id,
        lesion_id,
        {{ parse_date('assessment_date') }} as assessment_date,
        rule,
        message
    from source_rows
)

select * from typed
