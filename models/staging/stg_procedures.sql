{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}

with source_rows as (
    {{ select_input('procedures') }}
),

parsed as (
    select
        patient_id,
        procedure as procedure_input,
        {{ coded('procedure', 'procedure') }} as procedure,
        procedure_date as procedure_date_input,
        {{ parse_date('procedure_date') }} as procedure_date,
        lesion_id,
        target as target_input,
        {{ coded('target', 'target') }} as target
    from source_rows
),

typed as (
    select
        patient_id,
        procedure,
        {{ invalid_text('procedure_input', 'procedure') }} as procedure_text,
        procedure_date,
        {{ invalid_text('procedure_date_input', 'procedure_date') }} as procedure_date_text,
        lesion_id,
        target,
        {{ invalid_text('target_input', 'target') }} as target_text
    from parsed
)

select * from typed
