{% macro site_texts_grouped(relation) -%}
    {#- One row per distinct site text of `relation` (a column `site`; NULL left out), with
        its site group and the keyword that gave it: the user's keywords (var site_map) first,
        then the shipped ones (seed site_group_keywords), each a substring of the site in
        lower case without accents. Among the keywords of the first group that matches, the
        one found earliest in the text. No match: `other`, matched_keyword NULL. Used for
        lesions.csv and new_lesions.csv alike. -#}
    with sites as (
        {#- matched once per distinct site text: a registry has millions of lesions but few site texts -#}
        select distinct site, {{ folded('site') }} as folded_site
        from {{ relation }}
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
{%- endmacro %}

{% macro site_map_keywords() -%}
    {#- The user's site keywords (var site_map: [[keyword, site_group], ...], from
        `lesionwise build --site-map FILE`) as rows (keyword, site_group, precedence), tried
        before the shipped ones and in the order given: precedence -n .. -1. -#}
    {%- set site_map = var('site_map') or [] -%}
    {%- if site_map | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as keyword,
        cast(null as {{ dbt.type_string() }}) as site_group,
        cast(null as integer) as precedence
    from (select 1 as no_site_map) as empty_site_map where 1 = 0
    {%- else %}
    select
        cast(keyword as {{ dbt.type_string() }}) as keyword,
        cast(site_group as {{ dbt.type_string() }}) as site_group,
        cast(precedence as integer) as precedence
    from (values
        {%- for keyword, site_group in site_map %}
        ({{ string_literal(keyword) }}, {{ string_literal(site_group) }}, {{ loop.index - loop.length - 1 }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as user_keywords (keyword, site_group, precedence)
    {%- endif %}
{%- endmacro %}
