{#- One row per new lesion (patient_id, lesion_id of new_lesions.csv, as the chosen reader
    reads them: iRECIST is the chosen reader's, docs/readers.md) of a known patient:
    its organ (site group; a lymph node is the organ lymph_node), its first value, whether
    it is measurable (first value >= 10 mm, >= 15 mm for a node: iRECIST) and whether it is
    one of the measured new lesions summed by iRECIST: up to 5, at most 2 per organ, taken
    in order of appearance, then the larger first value, then lesion_id. -#}

with readings as (
    select new_lesions.*
    from ({{ chosen_reader_rows(ref('int_new_lesions_assigned')) }}) as new_lesions
    inner join {{ ref('int_patients_deduplicated') }} as patients
        on new_lesions.patient_id = patients.patient_id
),

site_groups as (
    {{ site_texts_grouped(ref('int_new_lesions_assigned')) }}
),

ordered as (
    select
        readings.patient_id,
        readings.lesion_id,
        readings.assessment_date,
        readings.diameter_mm,
        coalesce(site_groups.site_group, 'other') as organ,
        row_number() over (partition by readings.patient_id, readings.lesion_id order by readings.assessment_date)
            as reading_number,
        min(readings.assessment_date) over (partition by readings.patient_id, readings.lesion_id) as first_seen_date
    from readings
    left join site_groups
        on readings.site = site_groups.site
),

lesions as (
    select
        patient_id,
        lesion_id,
        max(organ) as organ,
        max(first_seen_date) as first_seen_date,
        max(case when reading_number = 1 then diameter_mm end) as first_mm
    from ordered
    group by patient_id, lesion_id
),

measurable as (
    select
        *,
        coalesce(first_mm >= case when organ = 'lymph_node' then {{ setting('irecist_new_node_min_mm') }}
                                  else {{ setting('irecist_new_lesion_min_mm') }} end, false) as is_measurable
    from lesions
),

ranked_in_organ as (
    select
        *,
        case when is_measurable then row_number() over (
            partition by patient_id, organ, is_measurable order by first_seen_date, first_mm desc, lesion_id)
        end as rank_in_organ
    from measurable
),

ranked as (
    select
        *,
        case when rank_in_organ <= {{ setting_integer('irecist_max_new_lesions_per_organ') }} then row_number() over (
            partition by patient_id, rank_in_organ <= {{ setting_integer('irecist_max_new_lesions_per_organ') }}
            order by first_seen_date, first_mm desc, lesion_id)
        end as rank_in_patient
    from ranked_in_organ
),

final as (
    select
        patient_id,
        lesion_id,
        organ,
        first_seen_date,
        first_mm,
        is_measurable,
        coalesce(rank_in_patient <= {{ setting_integer('irecist_max_new_lesions') }}, false) as is_summed
    from ranked
)

select * from final
