{#- One row per (patient_id, lesion_id, assessment_date, reader) with a valid date: a reading
    whose key occurs once, or the collapsed readings of a duplicated key (conflicting: value
    NULL). A reading without a reader in a folder whose other readings name readers is left
    out (data_issues: missing_reader). -#}

with readings as (
    {{ deduplicated_rows('measurements') }}
),

resolved as (
    select
        readings.reader_key,
        readings.patient_id,
        readings.lesion_id,
        readings.assessment_date,
        readings.n_input_rows,
        readings.is_conflicting,
        case when not readings.is_conflicting then readings.diameter_mm end as diameter_mm
    from readings
    inner join {{ ref('int_readers_listed') }} as readers
        on readings.reader_key = readers.reader_key
)

select * from resolved
