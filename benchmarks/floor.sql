-- The floor: one hand-written DuckDB script computing only the per-measurement lesion
-- responses (floor_lesion_responses, the grain of fct_lesion_measurements) and the
-- per-evaluation DR (floor_evaluations, the grain of fct_evaluations) from the input CSVs.
-- It trusts its input (no deduplication, no bad-input checks, no data_issues, no outcomes):
-- it is the least work that gives the same rows as the marts on a clean cohort.
-- `{input}` is replaced by the input folder. Thresholds are the dbt vars' defaults.

create or replace table floor_lesion_responses as
with patients as (
    select patient_id, inclusion_date, exclusion_reason
    from read_csv('{input}/patients.csv', header = true, auto_detect = false,
        columns = {'patient_id': 'varchar', 'study_id': 'varchar', 'sex': 'varchar', 'age': 'varchar',
                   'primary_tumor': 'varchar', 'prior_lines': 'varchar', 'regimen': 'varchar',
                   'metastatic_diagnosis_date': 'varchar', 'inclusion_date': 'date',
                   'treatment_end_date': 'varchar', 'last_contact_date': 'varchar',
                   'death_date': 'varchar', 'exclusion_reason': 'varchar'})
),

target_lesions as (
    select
        patient_id,
        lesion_id,
        coalesce(lymph_node, regexp_matches(lower(site), '(^|[^a-z])(lymph|node)')) as is_lymph_node
    from read_csv('{input}/lesions.csv', header = true, auto_detect = false,
        columns = {'patient_id': 'varchar', 'lesion_id': 'varchar', 'role': 'varchar',
                   'site': 'varchar', 'lymph_node': 'boolean'})
    where role = 'target'
),

readings as (
    select
        patient_id,
        lesion_id,
        assessment_date,
        case coalesce(status, 'measured')
            when 'measured' then diameter_mm
            when 'too_small' then 5.00
            when 'absent' then 0.00
        end :: decimal(9, 2) as value_mm
    from read_csv('{input}/measurements.csv', header = true, auto_detect = false,
        columns = {'patient_id': 'varchar', 'lesion_id': 'varchar', 'assessment_date': 'date',
                   'diameter_mm': 'decimal(9,2)', 'status': 'varchar'})
),

target_readings as (
    select readings.*, target_lesions.is_lymph_node
    from readings
    inner join target_lesions using (patient_id, lesion_id)
),

baselines as (
    select patients.patient_id, patients.exclusion_reason, max(target_readings.assessment_date) as baseline_date
    from patients
    inner join target_readings
        on patients.patient_id = target_readings.patient_id
        and target_readings.assessment_date <= patients.inclusion_date
    group by patients.patient_id, patients.exclusion_reason
),

target_set as (
    select target_readings.patient_id, target_readings.lesion_id, target_readings.is_lymph_node,
           target_readings.value_mm as baseline_mm, baselines.baseline_date
    from target_readings
    inner join baselines
        on target_readings.patient_id = baselines.patient_id
        and target_readings.assessment_date = baselines.baseline_date
    where target_readings.value_mm is not null and baselines.exclusion_reason is null
),

evaluation_dates as (
    select patient_id, assessment_date
    from target_readings
    semi join target_set using (patient_id, lesion_id)
    union
    select patient_id, assessment_date
    from read_csv('{input}/assessments.csv', header = true, auto_detect = false,
        columns = {'patient_id': 'varchar', 'assessment_date': 'date',
                   'new_lesions': 'varchar', 'non_target_response': 'varchar',
                   'non_target_increase': 'varchar'})
),

eligible as (
    select patient_id, baseline_date
    from target_set
    group by patient_id, baseline_date
    having count(*) >= 2
),

post_baseline as (
    select evaluation_dates.patient_id, evaluation_dates.assessment_date
    from evaluation_dates
    inner join eligible
        on evaluation_dates.patient_id = eligible.patient_id
        and evaluation_dates.assessment_date > eligible.baseline_date
),

gridded as (
    select target_set.patient_id, target_set.lesion_id, post_baseline.assessment_date,
           target_set.is_lymph_node, target_set.baseline_mm, target_readings.value_mm as diameter_mm
    from target_set
    inner join post_baseline using (patient_id)
    left join target_readings
        on target_set.patient_id = target_readings.patient_id
        and target_set.lesion_id = target_readings.lesion_id
        and post_baseline.assessment_date = target_readings.assessment_date
),

with_nadir as (
    select
        *,
        least(baseline_mm, coalesce(min(diameter_mm) over (
            partition by patient_id, lesion_id order by assessment_date
            rows between unbounded preceding and 1 preceding), baseline_mm)) as nadir_mm
    from gridded
)

select
    patient_id,
    lesion_id,
    assessment_date,
    diameter_mm,
    baseline_mm,
    nadir_mm,
    case
        when diameter_mm is null then 'NE'
        when diameter_mm = 0 or (is_lymph_node and diameter_mm < 10) then 'CR'
        when diameter_mm - nadir_mm >= 5 and diameter_mm >= 1.2 * nadir_mm then 'PD'
        when diameter_mm <= 0.7 * baseline_mm then 'PR'
        else 'SD'
    end as lesion_response
from with_nadir;

create or replace table floor_evaluations as
with counted as (
    select
        patient_id,
        assessment_date,
        count(*) filter (where lesion_response = 'CR') as n_cr,
        count(*) filter (where lesion_response = 'PR') as n_pr,
        count(*) filter (where lesion_response = 'SD') as n_sd,
        count(*) filter (where lesion_response = 'PD') as n_pd,
        count(*) filter (where lesion_response = 'NE') as n_ne
    from floor_lesion_responses
    group by patient_id, assessment_date
)

select
    *,
    case
        when n_pd > 0 and n_cr + n_pr > 0 then 'DR1'
        when n_pd > 0 and n_sd > 0 then 'DR2'
        when n_sd > 0 and n_cr + n_pr > 0 then 'DR3'
    end as dr_type
from counted;
