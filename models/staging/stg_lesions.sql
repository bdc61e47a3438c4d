{#- One row per input row, typed. Each *_text column holds the input text only where it is
    not valid (for data_issues). -#}

with source_rows as (
    {{ select_input('lesions') }}
),

parsed as (
    select
        patient_id,
        lesion_id,
        role as role_input,
        {{ coded('role', 'role') }} as role,
        site,
        lymph_node as lymph_node_input,
        {{ parse_boolean('lymph_node') }} as lymph_node
    from source_rows
),

typed as (
    select
        patient_id,
        lesion_id,
        role,
        {{ invalid_text('role_input', 'role') }} as role_text,
        site,
        lymph_node,
        {{ invalid_text('lymph_node_input', 'lymph_node') }} as lymph_node_text
    from parsed
)

select * from typed
