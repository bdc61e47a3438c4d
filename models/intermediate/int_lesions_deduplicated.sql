{#- One row per (patient_id, lesion_id) of lesions.csv, with its site group
    (int_site_texts_grouped) and whether it is a lymph node. Identical copies count once;
    conflicting values become NULL (a lesion without a role is left out). -#}

with collapsed as (
    {{ deduplicated_rows('lesions') }}
),

grouped as (
    select
        collapsed.*,
        coalesce(site_groups.site_group, 'other') as site_group,
        coalesce(collapsed.lymph_node, site_groups.site_group = 'lymph_node', false) as is_lymph_node,
        patients.patient_id is not null as is_known_patient
    from collapsed
    left join {{ ref('int_site_texts_grouped') }} as site_groups
        on collapsed.site = site_groups.site
    left join {{ ref('int_patients_deduplicated') }} as patients
        on collapsed.patient_id = patients.patient_id
)

select * from grouped
