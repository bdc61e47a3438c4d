{#- One row per (patient_id, lesion_id) of lesions.csv, with its site group and whether it
    is a lymph node. Identical copies count once; conflicting values become NULL (a lesion
    without a role is left out). -#}

with collapsed as (
    {{ deduplicated_rows('lesions') }}
),

keywords as (
    select * from {{ ref('site_group_keywords') }}
),

{#- matched once per distinct site text: a registry has millions of lesions but few site texts -#}
sites as (
    select distinct site from collapsed
),

site_matches as (
    select
        sites.site,
        min(keywords.precedence) as precedence
    from sites
    inner join keywords
        on {{ contains_word_start('sites.site', 'keywords.keyword') }}
    group by sites.site
),

site_groups as (
    select distinct precedence, site_group from keywords
),

grouped as (
    select
        collapsed.*,
        coalesce(site_groups.site_group, 'other') as site_group,
        coalesce(collapsed.lymph_node, site_groups.site_group = 'lymph_node', false) as is_lymph_node,
        patients.patient_id is not null as is_known_patient
    from collapsed
    left join site_matches
        on collapsed.site = site_matches.site
    left join site_groups
        on site_matches.precedence = site_groups.precedence
    left join {{ ref('int_patients_deduplicated') }} as patients
        on collapsed.patient_id = patients.patient_id
)

select * from grouped
