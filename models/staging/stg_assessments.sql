{#- One row per input row, typed. An unknown new-lesion code is NULL (unknown); an unknown
    non-target code is NE. -#}

with source_rows as (
    {{ select_input('assessments') }}
),

typed as (
    select
        patient_id,
        {{ parse_date('assessment_date') }} as assessment_date,
        assessment_date as assessment_date_text,
        case
            when new_lesions is null then 'no'
            else {{ coded('new_lesions', 'new_lesions') }}
        end as new_lesions,
        new_lesions as new_lesions_text,
        case
            when non_target_response is null then null
            else coalesce({{ coded('non_target_response', 'non_target_response') }}, 'NE')
        end as non_target_response,
        non_target_response as non_target_response_text
    from source_rows
)

select * from typed
