{#- One row per input row, typed. An unknown new-lesion code is NULL (unknown); an unknown
    non-target code is NE. Each *_text column holds the input text only where it is not
    valid (for data_issues). -#}

with source_rows as (
    {{ select_input('assessments') }}
),

parsed as (
    select
        patient_id,
        assessment_date as assessment_date_input,
        {{ parse_date('assessment_date') }} as assessment_date,
        new_lesions as new_lesions_input,
        {{ coded("coalesce(new_lesions, 'no')", 'new_lesions') }} as new_lesions,
        non_target_response as non_target_response_input,
        {{ coded('non_target_response', 'non_target_response') }} as non_target_code
    from source_rows
),

typed as (
    select
        patient_id,
        assessment_date,
        {{ invalid_text('assessment_date_input', 'assessment_date') }} as assessment_date_text,
        new_lesions,
        {{ invalid_text('new_lesions_input', 'new_lesions') }} as new_lesions_text,
        case when non_target_response_input is not null then coalesce(non_target_code, 'NE') end as non_target_response,
        {{ invalid_text('non_target_response_input', 'non_target_code') }} as non_target_response_text
    from parsed
)

select * from typed
