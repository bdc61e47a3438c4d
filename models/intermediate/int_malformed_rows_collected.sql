{#- One row per malformed line of an input file (too many or too few fields, a quote never
    closed, bytes that are not text): the tables the staging models' post-hook
    keep_malformed_rows wrote. Spark keeps none: no rows there. -#}
{%- set staging = [ref('stg_patients'), ref('stg_lesions'), ref('stg_measurements'), ref('stg_assessments'),
                   ref('stg_procedures'), ref('stg_new_lesions'), ref('stg_import_issues'), ref('stg_recorded_responses')] -%}

with malformed as (
    {{ malformed_rows(staging) }}
)

select * from malformed
