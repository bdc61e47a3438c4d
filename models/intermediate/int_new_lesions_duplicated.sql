{#- One row per (patient_id, lesion_id, assessment_date) that occurs on several rows of
    new_lesions.csv: identical copies count once; on conflict the value is NE (NULL). -#}

{{ duplicated_rows_collapsed('new_lesions') }}
