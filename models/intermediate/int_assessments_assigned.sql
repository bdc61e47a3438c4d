{#- One row per (reader, patient_id, assessment_date) of assessments.csv: each reader's own
    rows, and the rows without a reader for the evaluations that reader gave none of its own
    (docs/readers.md). -#}

{{ assigned_to_readers('assessments') }}
