{#- One row per (patient_id, assessment_date) that occurs on several rows of assessments.csv:
    identical copies count once; on conflict new lesions are unknown (NULL) and non-target
    is NE. -#}

{{ duplicated_rows_collapsed('assessments') }}
