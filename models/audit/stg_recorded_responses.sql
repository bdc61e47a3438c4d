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
        case when upper(target_response) in ('CR', 'PR', 'SD', 'PD', 'NE')
            then upper(target_response) end as target_response,
        case when upper(non_target_response) in ('CR', 'NON_CR_NON_PD', 'PD', 'NE')
            then upper(non_target_response) end as non_target_response,
        case when lower(new_lesions) in ('no', 'yes', 'equivocal')
            then lower(new_lesions) end as new_lesions,
        case when upper(overall_response) in ('CR', 'PR', 'SD', 'PD', 'NE', 'NON_CR_NON_PD')
            then upper(overall_response) end as overall_response,
        target_response as target_response_text,
        non_target_response as non_target_response_text,
        new_lesions as new_lesions_text,
        overall_response as overall_response_text
    from source_rows
)

select * from typed
