with source_rows as (
    {{ select_input('lesions') }}
),

typed as (
    select
        patient_id,
        lesion_id,
        {{ coded('role', 'role') }} as role,
        role as role_text,
        site,
        {{ parse_boolean('lymph_node') }} as lymph_node,
        lymph_node as lymph_node_text
    from source_rows
)

select * from typed
