{#- One row per reader x target-set lesion x post-baseline evaluation of a patient eligible
    for that reader (int_lesion_readings_gridded): the lesion's nadir and its RECIST 1.1
    response. fct_lesion_measurements_by_reader gives it; the evaluations and the lesions'
    best responses are computed from it. -#}

with readings as (
    select * from {{ ref('int_lesion_readings_gridded') }}
),

with_nadir as (
    select
        *,
        {{ running_nadir('diameter_mm', 'baseline_mm', ['reader_key', 'patient_id', 'lesion_id']) }} as nadir_mm
    from readings
),

responded as (
    select
        *,
        {{ lesion_response('diameter_mm', 'nadir_mm', 'baseline_mm', 'is_lymph_node') }} as lesion_response
    from with_nadir
)

select * from responded
