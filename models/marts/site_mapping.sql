{#- One row per distinct site text of lesions.csv: the site group it was given, the keyword
    that gave it, and how many lesions name it. -#}

with sites as (
    select * from {{ ref('int_site_texts_grouped') }}
),

lesion_counts as (
    select site, count(*) as n_lesions
    from {{ ref('int_lesions_deduplicated') }}
    group by site
),

final as (
    select
        cast(sites.site as {{ dbt.type_string() }}) as site,
        cast(sites.site_group as {{ dbt.type_string() }}) as site_group,
        cast(sites.matched_keyword as {{ dbt.type_string() }}) as matched_keyword,
        cast(coalesce(lesion_counts.n_lesions, 0) as integer) as n_lesions
    from sites
    left join lesion_counts
        on sites.site = lesion_counts.site
)

select * from final
