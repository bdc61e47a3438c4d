{#- With `--vars '{strict: true}'` any data issue fails the build; otherwise each issue is a
    warning, so a build on bad input says so without failing. -#}
{{ config(severity = 'error' if var('strict') else 'warn') }}

select source_file, patient_id, lesion_id, assessment_date, rule, message
from {{ ref('data_issues') }}
