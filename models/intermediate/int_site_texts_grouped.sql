{#- One row per distinct site text of lesions.csv (trimmed; NULL left out), with its site
    group and the keyword that gave it: the user's keywords (var site_map) first, then the
    shipped ones (seed site_group_keywords), each a substring of the site in lower case
    without accents. Among the keywords of the first group that matches, the one found
    earliest in the text. No match: `other`, matched_keyword NULL. -#}

with sites as (
    {#- matched once per distinct site text: a registry has millions of lesions but few site texts -#}
    select distinct site, {{ folded('site') }} as folded_site
    from {{ ref('stg_lesions') }}
    where site is not null
),

keywords as (
    select {{ folded('keyword') }} as keyword, site_group, precedence
    from (
        {{ site_map_keywords() }}
        union all
        select keyword, site_group, precedence from {{ ref('site_group_keywords') }}
    ) as all_keywords
),

matches as (
    select
        sites.site,
        keywords.keyword,
        keywords.site_group,
        row_number() over (
            partition by sites.site
            order by keywords.precedence, instr(sites.folded_site, keywords.keyword), keywords.keyword
        ) as match_rank
    from sites
    inner join keywords
        on instr(sites.folded_site, keywords.keyword) > 0
),

grouped as (
    select
        sites.site,
        coalesce(matches.site_group, 'other') as site_group,
        matches.keyword as matched_keyword
    from sites
    left join matches
        on sites.site = matches.site
        and matches.match_rank = 1
)

select * from grouped
