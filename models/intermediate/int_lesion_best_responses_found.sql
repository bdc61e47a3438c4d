{#- One row per reader x target-set lesion with a post-baseline evaluation (of a patient
    eligible for that reader): the lesion's best response up to its own first PD (macro
    best_response), as dim_target_lesions gives it. -#}

with lesion_responses as (
    select * from {{ ref('int_lesion_responses_computed') }}
),

best_responses as (
    {{ best_response('lesion_responses', ['reader_key', 'patient_id', 'lesion_id'], 'lesion_response') }}
)

select * from best_responses
