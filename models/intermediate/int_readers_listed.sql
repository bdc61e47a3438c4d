{#- One row per reader of the folder: each distinct reader named in measurements.csv, or the
    one reader '' of a folder that names none (docs/readers.md). `is_chosen`: the reader whose
    readings the contract tables give, var `reader`, default the first name in sort order. A
    var naming no reader chooses none: the test reader_var_names_a_reader fails the build. -#}

with readings as (
    select distinct reader_key from {{ ref('stg_measurements') }}
),

named as (
    select reader_key from readings where reader_key <> ''
),

listed as (
    select reader_key from named
    union all
    select '' as reader_key from (select 1 as one) as one_row where not exists (select 1 from named)
),

chosen as (
    select
        reader_key,
        {%- if var('reader') %}
        reader_key = {{ string_literal(var('reader') | string) }} as is_chosen
        {%- else %}
        reader_key = min(reader_key) over () as is_chosen
        {%- endif %}
    from listed
)

select * from chosen
