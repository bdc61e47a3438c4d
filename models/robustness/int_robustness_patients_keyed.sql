{#- One row per eligible patient: an integer key for the draws, and the baseline date
    that keys the baseline readings. -#}
with patients as (
    select * from {{ built_mart('dim_patients') }}
),

keyed as (
    select
        patient_id,
        cast(row_number() over (order by patient_id) as integer) as patient_key,
        baseline_date
    from patients
    where eligible
)

select * from keyed
