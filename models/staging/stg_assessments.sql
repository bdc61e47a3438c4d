{#- One row per input row, typed. An unknown new-lesion code is NULL (unknown); an unknown
    non-target code is NE. Each *_text column holds the input text only where it is not
    valid (for data_issues). -#}

with source_rows as (
    {{ select_input('assessments', ['reader']) }}
),

typed as (
    select
        {#- '' = the one reader of a folder without readers (docs/readers.md) #}
        coalesce(reader, '') as reader_key,
        patient_id,
        {{ typed_column('assessment_date', plausible_date(parse_date('assessment_date'))) }},
        {{ typed_column('new_lesions', coded("coalesce(new_lesions, 'no')", 'new_lesions')) }},
        case
            when non_target_response is null then null
            else coalesce({{ coded('non_target_response', 'non_target_response') }}, 'NE')
        end as non_target_response,
        {{ invalid_text('non_target_response', coded('non_target_response', 'non_target_response')) }}
            as non_target_response_text,
        {{ typed_column('non_target_increase', coded('non_target_increase', 'non_target_increase')) }}
    from source_rows
)

select * from typed
