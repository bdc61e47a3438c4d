{#- One row per row of recorded_responses.csv, typed. A code outside the lists is NULL
    (recorded as unknown); its text is kept. -#}

with source_rows as (
    {{ select_input('recorded_responses') }}
),

typed as (
    select
        patient_id,
        {{ parse_date('assessment_date') }} as assessment_date,
        assessment_date as assessment_date_text,
        visit_num,
        visit,
        {{ coded('target_response', 'response') }} as target_response,
        {{ coded('non_target_response', 'non_target_response') }} as non_target_response,
        {{ coded('new_lesions', 'new_lesions') }} as new_lesions,
        {{ coded('overall_response', 'recorded_overall_response') }} as overall_response,
        {{ coded('irecist_overall_response', 'recorded_irecist_response') }} as irecist_overall_response,
        target_response as target_response_text,
        non_target_response as non_target_response_text,
        new_lesions as new_lesions_text,
        overall_response as overall_response_text,
        irecist_overall_response as irecist_overall_response_text
    from source_rows
)

select * from typed
