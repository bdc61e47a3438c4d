{#- One row per (patient_id, assessment_date) of assessments.csv with a valid date: a row
    whose key occurs once, or the collapsed rows of a duplicated key. -#}

{{ deduplicated_rows('assessments') }}
