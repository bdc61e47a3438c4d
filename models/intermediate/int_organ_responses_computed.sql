{#- One row per organ with target lesions x first post-baseline evaluation of an eligible
    patient: RECIST 1.1 applied to the organ's sum of target lesions (Sato 2021). The organ
    is the lesion's site group, every lymph node (the lymph_node flag) one organ. At the
    first evaluation the nadir sum is the baseline sum. -#}

with first_readings as (
    select
        readings.patient_id,
        readings.assessment_date,
        case when lesions.lymph_node then 'lymph_node' else lesions.site_group end as organ,
        readings.lesion_id,
        readings.diameter_mm,
        readings.baseline_mm,
        readings.lesion_response
    from {{ ref('fct_lesion_measurements') }} as readings
    inner join {{ ref('dim_target_lesions') }} as lesions
        on readings.patient_id = lesions.patient_id
        and readings.lesion_id = lesions.lesion_id
    where readings.evaluation_number = 1
),

summed as (
    select
        patient_id,
        assessment_date,
        organ,
        count(*) as n_lesions,
        count(diameter_mm) as n_with_value,
        count(case when lesion_response = 'CR' then 1 end) as n_cr,
        sum(diameter_mm) as sum_mm,
        sum(baseline_mm) as baseline_sum_mm
    from first_readings
    group by patient_id, assessment_date, organ
),

responded as (
    select
        *,
        {{ target_sum_response('n_cr', 'n_lesions', 'n_with_value', 'sum_mm', 'baseline_sum_mm', 'baseline_sum_mm') }}
            as organ_response
    from summed
)

select * from responded
