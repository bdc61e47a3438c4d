{#- One row per input file with dates: how many of its dates parse in the date format of the
    build (var date_format), and when most do not, the common format the failing texts match
    best, as a hint the build prints. -#}
{%- set candidates = ['%d/%m/%Y', '%m/%d/%Y', '%d.%m.%Y', '%d-%m-%Y', '%Y/%m/%d', '%Y-%m-%d',
                      '%d/%m/%y', '%m/%d/%y', '%d.%m.%y'] | reject('equalto', var('date_format') or '%Y-%m-%d') | list -%}
{%- set format_name = "in the date format " ~ var('date_format') if var('date_format') else 'ISO (YYYY-MM-DD)' -%}
{%- set date_columns = [
        (ref('stg_patients'), 'patients.csv', ['metastatic_diagnosis_date', 'inclusion_date', 'treatment_end_date',
                                               'last_contact_date', 'death_date']),
        (ref('stg_measurements'), 'measurements.csv', ['assessment_date']),
        (ref('stg_assessments'), 'assessments.csv', ['assessment_date']),
        (ref('stg_procedures'), 'procedures.csv', ['procedure_date'])] -%}

{%- set file_columns = [] -%}
{%- for relation, file, columns in date_columns -%}
    {%- for column in columns -%}
        {%- do file_columns.append((relation, file, column)) -%}
    {%- endfor -%}
{%- endfor %}

with dates as (
    {#- a text that parses but is implausible counts as parsed (an implausible_date issue) -#}
    {%- for relation, file, column in file_columns %}
    select
        '{{ file }}' as source_file,
        case when {{ column }}_text is not null and {{ parse_date(column ~ '_text') }} is null
            then {{ column }}_text end as unparsed_text
    from {{ relation }}
    where {{ column }} is not null or {{ column }}_text is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        source_file,
        count(*) as n_dates,
        count(unparsed_text) as n_unparsed,
        {%- for candidate in candidates %}
        sum(case when {{ parse_date_as('unparsed_text', candidate) }} is not null then 1 else 0 end) as n_format_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from dates
    group by source_file
),

{#- one row per file and candidate format, best first -#}
candidate_counts as (
    {%- for candidate in candidates %}
    select
        source_file,
        '{{ candidate }}' as date_format,
        n_format_{{ loop.index }} as n_matching,
        {{ loop.index }} as candidate_order
    from counted
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

ranked as (
    select
        source_file,
        date_format,
        n_matching,
        row_number() over (partition by source_file order by n_matching desc, candidate_order) as format_rank
    from candidate_counts
    where n_matching > 0
),

hinted as (
    select
        counted.source_file,
        counted.n_dates,
        counted.n_unparsed,
        best.date_format as likely_date_format,
        tied.date_format as tied_date_format
    from counted
    left join ranked as best
        on counted.source_file = best.source_file
        and best.format_rank = 1
        and counted.n_unparsed > {{ setting('date_format_hint_min_share') }} * counted.n_dates
    left join ranked as tied
        on best.source_file = tied.source_file
        and tied.format_rank = 2
        and tied.n_matching = best.n_matching
),

final as (
    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(n_dates as integer) as n_dates,
        cast(n_unparsed as integer) as n_unparsed,
        cast(likely_date_format as {{ dbt.type_string() }}) as likely_date_format,
        cast(tied_date_format as {{ dbt.type_string() }}) as tied_date_format,
        cast(case
            when tied_date_format is not null then
                source_file || ': ' || cast(n_unparsed as {{ dbt.type_string() }}) || ' of '
                || cast(n_dates as {{ dbt.type_string() }}) || ' dates are not {{ format_name }} but look like '
                || likely_date_format || ' or ' || tied_date_format
                || ' (no day is above 12, so day and month cannot be told apart): build with --date-format '''
                || likely_date_format || ''' or ''' || tied_date_format || ''', as the export writes them'
            when likely_date_format is not null then
                source_file || ': ' || cast(n_unparsed as {{ dbt.type_string() }}) || ' of '
                || cast(n_dates as {{ dbt.type_string() }}) || ' dates are not {{ format_name }} but look like '
                || likely_date_format || ': build with --date-format ''' || likely_date_format || ''''
        end as {{ dbt.type_string() }}) as hint
    from hinted
)

select * from final
