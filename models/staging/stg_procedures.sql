with source_rows as (
    {{ select_input('procedures') }}
),

typed as (
    select
        patient_id,
        {{ coded('procedure', 'procedure') }} as procedure,
        procedure as procedure_text,
        {{ parse_date('procedure_date') }} as procedure_date,
        procedure_date as procedure_date_text,
        lesion_id,
        {{ coded('target', 'target') }} as target,
        target as target_text
    from source_rows
)

select * from typed
