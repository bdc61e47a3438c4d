{#- The chosen reader's target lesions (docs/readers.md) -#}
with target_set as (
    select lesions.*
    from ({{ chosen_reader_rows(ref('int_target_lesions_baselined')) }}) as lesions
    inner join {{ ref('int_patients_eligibility_assessed') }} as patients
        on lesions.patient_id = patients.patient_id
        and lesions.reader_key = patients.reader_key
    where lesions.is_in_target_set and patients.eligible
),

procedures as (
    select * from {{ ref('int_target_lesion_procedures_summarised') }}
),

best_responses as (
    select * from {{ ref('int_lesion_best_responses_found') }}
),

final as (
    select
        cast(target_set.patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(target_set.lesion_id as {{ dbt.type_string() }}) as lesion_id,
        cast(target_set.site as {{ dbt.type_string() }}) as site,
        cast(target_set.site_group as {{ dbt.type_string() }}) as site_group,
        cast(target_set.is_lymph_node as boolean) as lymph_node,
        cast(target_set.baseline_date as date) as baseline_date,
        cast(target_set.baseline_mm as decimal(9, 2)) as baseline_mm,
        cast(coalesce(procedures.prior_radiotherapy, false) as boolean) as prior_radiotherapy,
        cast(coalesce(procedures.radiotherapy_timing, 'never') as {{ dbt.type_string() }}) as radiotherapy_timing,
        cast(coalesce(procedures.prior_biopsy, false) as boolean) as prior_biopsy,
        cast(best_responses.best_response as {{ dbt.type_string() }}) as best_response
    from target_set
    left join procedures
        on target_set.patient_id = procedures.patient_id
        and target_set.lesion_id = procedures.lesion_id
    left join best_responses
        on target_set.patient_id = best_responses.patient_id
        and target_set.lesion_id = best_responses.lesion_id
        and target_set.reader_key = best_responses.reader_key
)

select * from final
