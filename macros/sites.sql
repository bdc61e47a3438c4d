{% macro site_groups_matched(relation) -%}
    {#- One row per distinct site text of `relation` (a column `site`): its site group from
        the seed site_group_keywords, the same matching as int_lesions_deduplicated (the
        keyword of lowest precedence that starts a word of the site), else `other`. -#}
    select
        sites.site,
        coalesce(min_by_precedence.site_group, 'other') as site_group
    from (select distinct site from {{ relation }}) as sites
    left join (
        select matches.site, groups.site_group
        from (
            select sites.site, min(keywords.precedence) as precedence
            from (select distinct site from {{ relation }}) as sites
            inner join {{ ref('site_group_keywords') }} as keywords
                on {{ contains_word_start('sites.site', 'keywords.keyword') }}
            group by sites.site
        ) as matches
        inner join (select distinct precedence, site_group from {{ ref('site_group_keywords') }}) as groups
            on matches.precedence = groups.precedence
    ) as min_by_precedence
        on sites.site = min_by_precedence.site
{%- endmacro %}
