{#- One row per patient_id that occurs on several rows of patients.csv: identical copies
    count once; conflicting values become NULL. -#}

{{ duplicated_rows_collapsed('patients') }}
