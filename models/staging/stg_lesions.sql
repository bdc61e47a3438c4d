{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}

with source_rows as (
    {{ select_input('lesions') }}
),

typed as (
    select
        patient_id,
        lesion_id,
        {{ typed_column('role', coded('role', 'role')) }},
        site,
        {{ typed_column('lymph_node', parse_boolean('lymph_node')) }}
    from source_rows
)

select * from typed
