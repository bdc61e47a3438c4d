{#- One row per (patient_id, assessment_date) of assessments.csv with a valid date. Identical
    copies count once; on conflict new lesions are unknown (NULL) and non-target is NE. -#}

with assessment_rows as (
    select * from {{ ref('stg_assessments') }}
    where patient_id is not null and assessment_date is not null
),

collapsed as (
    select
        patient_id,
        assessment_date,
        count(*) as n_input_rows,
        not ({{ values_agree('new_lesions') }} and {{ values_agree('non_target_response') }}) as is_conflicting,
        case when {{ values_agree('new_lesions') }} then max(new_lesions) end as new_lesions,
        case when {{ values_agree('non_target_response') }} then max(non_target_response) else 'NE' end as non_target_response
    from assessment_rows
    group by patient_id, assessment_date
)

select * from collapsed
