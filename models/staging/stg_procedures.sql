with source_rows as (
    {{ select_input('procedures') }}
),

typed as (
    select
        patient_id,
        case when lower(procedure) in ('radiotherapy', 'biopsy') then lower(procedure) end as procedure,
        procedure as procedure_text,
        {{ parse_date('procedure_date') }} as procedure_date,
        procedure_date as procedure_date_text,
        lesion_id,
        case when lower(target) in ('primary', 'metastasis') then lower(target) end as target,
        target as target_text
    from source_rows
)

select * from typed
