{#- One row per (patient_id, lesion_id) that occurs on several rows of lesions.csv: identical
    copies count once; conflicting values become NULL. -#}

{{ duplicated_rows_collapsed('lesions') }}
