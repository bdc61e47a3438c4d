{#- One row per draw x target lesion x post-baseline evaluation: the redrawn reading and
    baseline, the nadir of the redrawn readings and the lesion response by the marts' rules. -#}
with readings as (
    select * from {{ ref('int_robustness_readings_keyed') }}
),

draws as (
    select * from {{ ref('int_robustness_draws') }}
),

hashed as (
    select
        draws.draw,
        readings.*,
        {{ draw_hash('readings.reading_hash', 'draws.draw') }} as reading_draw_hash,
        {{ draw_hash('readings.baseline_hash', 'draws.draw') }} as baseline_draw_hash
    from readings
    cross join draws
),

redrawn as (
    select
        draw,
        patient_key,
        lesion_key,
        assessment_date,
        lesion_position,
        evaluation_position,
        lymph_node,
        {{ redrawn_reading('diameter_mm', 'reading_log_sd', 'reading_draw_hash') }} as diameter_mm,
        {{ redrawn_reading('baseline_mm', 'baseline_log_sd', 'baseline_draw_hash') }} as baseline_mm
    from hashed
),

with_nadir as (
    select
        *,
        {#- one partition per lesion holding all its draws: far faster than one per draw x lesion -#}
        {{ running_nadir('diameter_mm', 'baseline_mm', ['lesion_key'], order_by='draw, assessment_date',
                         preceding='lesion_position') }} as nadir_mm
    from redrawn
),

responded as (
    select
        *,
        {{ lesion_response('diameter_mm', 'nadir_mm', 'baseline_mm', 'lymph_node') }} as lesion_response
    from with_nadir
)

select * from responded
