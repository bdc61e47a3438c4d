{#- One row per (reader, patient_id, lesion_id, assessment_date) of new_lesions.csv: each
    reader's own rows, and the rows without a reader for the keys that reader gave none of
    its own (docs/readers.md). -#}

{{ assigned_to_readers('new_lesions') }}
