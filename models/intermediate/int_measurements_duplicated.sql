{#- One row per (patient_id, lesion_id, assessment_date) that occurs on several readings:
    identical readings count once, conflicting readings are not evaluable (value NULL). -#}

{{ duplicated_rows_collapsed('measurements') }}
