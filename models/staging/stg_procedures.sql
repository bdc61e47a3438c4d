{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}

with source_rows as (
    {{ select_input('procedures') }}
),

typed as (
    select
        patient_id,
        {{ typed_column('procedure', coded('procedure', 'procedure')) }},
        {{ typed_column('procedure_date', plausible_date(parse_date('procedure_date'))) }},
        lesion_id,
        {{ typed_column('target', coded('target', 'target')) }}
    from source_rows
)

select * from typed
