{#- One row per (patient_id, lesion_id, assessment_date) of new_lesions.csv with a valid
    date: a row whose key occurs once, or the collapsed rows of a duplicated key. -#}

{{ deduplicated_rows('new_lesions') }}
