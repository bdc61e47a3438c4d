{#- Every problem found in the input, one row each: each check below names the model it
    reads, the rule (seed data_issue_rules) and the message. -#}
{%- set stg_patients = ref('stg_patients') -%}
{%- set stg_lesions = ref('stg_lesions') -%}
{%- set stg_measurements = ref('stg_measurements') -%}
{%- set stg_assessments = ref('stg_assessments') -%}
{%- set stg_procedures = ref('stg_procedures') -%}
{%- set stg_new_lesions = ref('stg_new_lesions') -%}
{%- set reading_key = {'lesion': 'lesion_id', 'date': 'assessment_date'} -%}
{%- set checks = [] -%}

{#- Required values, in every file: (column, its empty test, what happens to the row). A typed
    column is empty when it has neither a value nor invalid text. -#}
{%- set left_out = 'the row is left out' -%}
{%- for relation, file, columns in [
        (stg_patients, 'patients.csv', [('patient_id', 'patient_id is null', left_out),
            ('inclusion_date', 'inclusion_date is null and inclusion_date_text is null',
             'the patient has no baseline and cannot be analysed')]),
        (stg_lesions, 'lesions.csv', [('patient_id', 'patient_id is null', left_out),
            ('lesion_id', 'lesion_id is null', left_out),
            ('role', 'role is null and role_text is null', left_out),
            ('site', 'site is null', 'its site group is other')]),
        (stg_measurements, 'measurements.csv', [('patient_id', 'patient_id is null', left_out),
            ('lesion_id', 'lesion_id is null', left_out),
            ('assessment_date', 'assessment_date is null and assessment_date_text is null', left_out)]),
        (stg_assessments, 'assessments.csv', [('patient_id', 'patient_id is null', left_out),
            ('assessment_date', 'assessment_date is null and assessment_date_text is null', left_out)]),
        (stg_procedures, 'procedures.csv', [('patient_id', 'patient_id is null', left_out),
            ('procedure', 'procedure is null and procedure_text is null', left_out)]),
        (stg_new_lesions, 'new_lesions.csv', [('patient_id', 'patient_id is null', left_out),
            ('lesion_id', 'lesion_id is null', left_out),
            ('assessment_date', 'assessment_date is null and assessment_date_text is null', left_out)])] -%}
    {%- for column, is_empty, consequence in columns -%}
        {%- do checks.append({'relation': relation, 'file': file, 'rule': 'missing_required_value',
            'lesion': 'lesion_id' if file in ('lesions.csv', 'measurements.csv', 'new_lesions.csv') else 'null',
            'where': is_empty,
            'message': "'" ~ column ~ " is empty; " ~ consequence ~ "'"}) -%}
    {%- endfor -%}
{%- endfor %}

{#- Dates that do not parse in the date format, or that parse but are implausible (before
    var earliest_plausible_date or after the day of the build) -#}
{%- set date_format_name = var('date_format') or 'YYYY-MM-DD' -%}
{%- for relation, file, column, consequence, key in [
        (stg_patients, 'patients.csv', 'metastatic_diagnosis_date', 'treated as missing', {}),
        (stg_patients, 'patients.csv', 'inclusion_date', 'the patient has no baseline and cannot be analysed', {}),
        (stg_patients, 'patients.csv', 'treatment_end_date', 'treated as missing', {}),
        (stg_patients, 'patients.csv', 'last_contact_date', 'treated as missing', {}),
        (stg_patients, 'patients.csv', 'death_date', 'treated as missing', {}),
        (stg_measurements, 'measurements.csv', 'assessment_date', 'the reading is left out', {'lesion': 'lesion_id'}),
        (stg_assessments, 'assessments.csv', 'assessment_date', 'the row is left out', {}),
        (stg_procedures, 'procedures.csv', 'procedure_date', 'the procedure is left out', {'lesion': 'lesion_id'}),
        (stg_new_lesions, 'new_lesions.csv', 'assessment_date', 'the row is left out', {'lesion': 'lesion_id'})] -%}
    {%- set parsed = parse_date(column ~ '_text') -%}
    {%- do checks.append(dict(key, relation=relation, file=file, rule='unparseable_date',
        where=column ~ '_text is not null and ' ~ parsed ~ ' is null',
        message="'" ~ column ~ " ' || " ~ quoted(column ~ '_text') ~ " || ' is not a date " ~ date_format_name ~ "; " ~ consequence ~ "'")) -%}
    {%- do checks.append(dict(key, relation=relation, file=file, rule='implausible_date',
        where=column ~ '_text is not null and ' ~ parsed ~ ' is not null',
        message="'" ~ column ~ " ' || " ~ quoted(column ~ '_text') ~ " || case when " ~ parsed ~ " < cast('"
            ~ var('earliest_plausible_date') ~ "' as date) then ' is before " ~ var('earliest_plausible_date') ~ "'"
            ~ " else ' is after the day of the build ' || cast(" ~ build_date() ~ " as " ~ dbt.type_string() ~ ") end"
            ~ " || '; " ~ consequence ~ "'")) -%}
{%- endfor -%}

{#- Numbers that do not parse, and codes outside the contract's lists -#}
{%- for relation, file, column, rule, consequence, key in [
        (stg_patients, 'patients.csv', 'age', 'unparseable_number', 'treated as missing', {}),
        (stg_patients, 'patients.csv', 'prior_lines', 'unparseable_number', 'treated as missing', {}),
        (stg_patients, 'patients.csv', 'sex', 'invalid_code', 'not M or F; treated as missing', {}),
        (stg_lesions, 'lesions.csv', 'role', 'invalid_code', 'not target or non_target; the lesion is left out', {'lesion': 'lesion_id'}),
        (stg_lesions, 'lesions.csv', 'lymph_node', 'invalid_code', 'not a boolean; derived from the site', {'lesion': 'lesion_id'}),
        (stg_measurements, 'measurements.csv', 'status', 'invalid_code', 'not measured, too_small, absent or not_evaluable; the reading is NE', reading_key),
        (stg_assessments, 'assessments.csv', 'new_lesions', 'invalid_code', 'not no, yes or equivocal; new lesions unknown, the overall response is NE unless PD', {'date': 'assessment_date'}),
        (stg_assessments, 'assessments.csv', 'non_target_response', 'invalid_code', 'not CR, NON_CR_NON_PD, PD or NE; treated as NE', {'date': 'assessment_date'}),
        (stg_procedures, 'procedures.csv', 'procedure', 'invalid_code', 'not radiotherapy or biopsy; the row is left out', {'lesion': 'lesion_id'}),
        (stg_procedures, 'procedures.csv', 'target', 'invalid_code', 'not primary or metastasis; treated as missing', {'lesion': 'lesion_id'}),
        (stg_assessments, 'assessments.csv', 'non_target_increase', 'invalid_code', 'not yes or no; treated as missing', {'date': 'assessment_date'}),
        (stg_new_lesions, 'new_lesions.csv', 'status', 'invalid_code', 'not measured, too_small, absent or not_evaluable; the new lesion is not measured', reading_key)] -%}
    {%- do checks.append(dict(key, relation=relation, file=file, rule=rule,
        where=column ~ '_text is not null',
        message="'" ~ column ~ " ' || " ~ quoted(column ~ '_text') ~ " || ' is " ~ consequence ~ "'")) -%}
{%- endfor -%}

{#- Diameters -#}
{%- for relation, file, consequence in [(stg_measurements, 'measurements.csv', 'the reading is NE'),
        (stg_new_lesions, 'new_lesions.csv', 'the new lesion is not measured there')] -%}
{%- do checks.append(dict(reading_key, relation=relation, file=file,
    rule='diameter_problem', rule_sql='diameter_problem', where='diameter_problem is not null',
    message="'diameter_mm ' || " ~ quoted('diameter_text') ~ " || case diameter_problem"
        ~ " when 'unparseable_number' then ' is not a number'"
        ~ " when 'negative_diameter' then ' is negative'"
        ~ " when 'implausible_diameter' then ' is above " ~ var('max_plausible_diameter_mm') ~ " mm'"
        ~ " else ' has more than " ~ var('diameter_decimals') ~ " decimals' end || '; " ~ consequence ~ "'")) -%}
{%- endfor -%}

{#- A status that contradicts its diameter -#}
{%- do checks.append(dict(reading_key, relation=stg_measurements, file='measurements.csv',
    rule='contradictory_status', where='has_contradictory_status',
    message="'status ' || status || ' with diameter_mm ' || " ~ quoted('diameter_text') ~ " || '; the status wins'")) -%}

{#- Duplicate keys -#}
{%- for model, file, key in [
        ('int_patients_duplicated', 'patients.csv', {}),
        ('int_lesions_duplicated', 'lesions.csv', {'lesion': 'lesion_id'}),
        ('int_measurements_duplicated', 'measurements.csv', reading_key),
        ('int_assessments_duplicated', 'assessments.csv', {'date': 'assessment_date'}),
        ('int_new_lesions_duplicated', 'new_lesions.csv', reading_key)] -%}
    {%- do checks.append(dict(key, relation=ref(model), file=file, rule='duplicate_row',
        where='not is_conflicting',
        message="cast(n_input_rows as " ~ dbt.type_string() ~ ") || ' identical rows for this key; counted once'")) -%}
    {%- do checks.append(dict(key, relation=ref(model), file=file, rule='conflicting_duplicate',
        where='is_conflicting',
        message="cast(n_input_rows as " ~ dbt.type_string() ~ ") || ' rows with different values for this key; the conflicting values are NE or missing'")) -%}
{%- endfor -%}

{#- Rows naming an unknown patient or lesion, or a non-target lesion -#}
{%- do checks.append(dict(relation=ref('int_lesions_deduplicated'), file='lesions.csv', rule='unknown_patient',
    lesion='lesion_id', where='not is_known_patient',
    message="'patient ' || " ~ quoted('patient_id') ~ " || ' is not in patients.csv; the lesion is left out'")) -%}
{%- do checks.append(dict(reading_key, relation=ref('int_measurements_matched'), file='measurements.csv', rule='unknown_patient',
    where='not is_known_patient',
    message="'patient ' || " ~ quoted('patient_id') ~ " || ' is not in patients.csv; the reading is left out'")) -%}
{%- do checks.append(dict(reading_key, relation=ref('int_measurements_matched'), file='measurements.csv', rule='unknown_lesion',
    where='is_known_patient and not is_known_lesion',
    message="'lesion ' || " ~ quoted('lesion_id') ~ " || ' is not in lesions.csv; the reading is left out'")) -%}
{%- do checks.append(dict(reading_key, relation=ref('int_measurements_matched'), file='measurements.csv', rule='non_target_measurement',
    where="role = 'non_target'",
    message="'lesion ' || " ~ quoted('lesion_id') ~ " || ' is a non-target lesion; its measurement is ignored'")) -%}
{%- do checks.append(dict(relation='(select * from ' ~ stg_assessments ~ ' where patient_id not in (select patient_id from ' ~ ref('int_patients_deduplicated') ~ '))',
    file='assessments.csv', rule='unknown_patient', date='assessment_date',
    where='true', message="'patient ' || " ~ quoted('patient_id') ~ " || ' is not in patients.csv; the row is left out'")) -%}
{%- do checks.append(dict(reading_key, relation='(select * from ' ~ ref('int_new_lesions_deduplicated') ~ ' where patient_id not in (select patient_id from ' ~ ref('int_patients_deduplicated') ~ '))',
    file='new_lesions.csv', rule='unknown_patient',
    where='true', message="'patient ' || " ~ quoted('patient_id') ~ " || ' is not in patients.csv; the row is left out'")) -%}
{%- do checks.append(dict(relation=ref('int_new_lesions_contradicted'), file='assessments.csv', rule='conflicting_duplicate',
    date='assessment_date', where='true',
    message="'new_lesions is no but new_lesions.csv has ' || cast(n_new_lesions as " ~ dbt.type_string() ~ ") || ' new lesion(s) at this date; new lesions yes'")) -%}
{%- do checks.append(dict(relation=ref('int_procedures_classified'), file='procedures.csv', rule='unknown_patient',
    lesion='lesion_id', where='not is_known_patient',
    message="'patient ' || " ~ quoted('patient_id') ~ " || ' is not in patients.csv; the row is left out'")) -%}
{%- do checks.append(dict(relation=ref('int_procedures_classified'), file='procedures.csv', rule='unknown_lesion',
    lesion='lesion_id', where='is_known_patient and lesion_id is not null and not is_known_lesion',
    message="'lesion ' || " ~ quoted('lesion_id') ~ " || ' is not in lesions.csv; the procedure counts for the patient only'")) -%}

{#- What `lesionwise import-sdtm` imputed or could not map (optional import_issues.csv);
    source_file names the SDTM file -#}
{%- do checks.append(dict(relation=ref('stg_import_issues'), file='import_issues.csv', rule_sql='rule',
    lesion='lesion_id', date='assessment_date', where='rule is not null',
    message="source_file || ': ' || message")) -%}

{#- Malformed rows of any input file, by line -#}
{%- do checks.append(dict(relation=ref('int_malformed_rows_collected'), file_sql='source_file', rule='malformed_row',
    patient='null', where='true',
    message="'line ' || cast(line as " ~ dbt.type_string() ~ ") || ' ' || problem || '; the row is left out (docs/input-format.md)'")) -%}

{#- Readings without a reader in a folder whose other readings name readers -#}
{%- do checks.append(dict(reading_key, relation='(select * from ' ~ stg_measurements ~ " where reader_key = '' and reader_key not in (select reader_key from "
        ~ ref('int_readers_listed') ~ '))', file='measurements.csv', rule='missing_reader', where='true',
    message="'reader is empty while other rows of measurements.csv name readers; the reading is left out'")) -%}

{#- Target lesions without a baseline value, dates before inclusion -#}
{%- do checks.append(dict(relation=ref('int_target_lesions_baselined'), file='lesions.csv', rule='target_without_baseline',
    lesion='lesion_id', date='baseline_date', where='baseline_date is not null and not is_in_target_set',
    message="'target lesion has no value at the baseline evaluation; it is left out of the target set'")) -%}
{%- for column in ['death_date', 'last_contact_date'] -%}
    {%- do checks.append(dict(relation=ref('int_patients_deduplicated'), file='patients.csv', rule='date_before_inclusion',
        where=column ~ '_before_inclusion is not null',
        message="'" ~ column ~ " ' || cast(" ~ column ~ "_before_inclusion as " ~ dbt.type_string() ~ ") || ' is before inclusion_date '"
            ~ " || cast(inclusion_date as " ~ dbt.type_string() ~ ") || '; treated as missing'")) -%}
{%- endfor -%}

{#- Scans after the patient's death -#}
{%- do checks.append(dict(relation=ref('int_evaluations_after_death'), file='patients.csv', rule='assessment_after_death',
    date='assessment_date', where='true',
    message="'a scan on this date is after death_date ' || cast(death_date as " ~ dbt.type_string() ~ ") || '; the scan is kept (check both dates)'")) %}

{#- The rows of the files read by reader, and the target sets, name their reader (NULL in a
    folder without readers; docs/readers.md) -#}
{%- for check in checks if check.get('file') in ('measurements.csv', 'assessments.csv', 'new_lesions.csv')
        or check.relation | string == ref('int_target_lesions_baselined') | string -%}
    {%- do check.update({'reader': "nullif(reader_key, '')"}) -%}
{%- endfor %}

with issues as (
    {%- for check in checks %}
    {{ data_issue_rows(check) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

described as (
    select
        issues.*,
        rules.severity
    from issues
    left join {{ ref('data_issue_rules') }} as rules
        on issues.rule = rules.rule
),

final as (
    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(patient_id as {{ dbt.type_string() }}) as patient_id,
        cast(lesion_id as {{ dbt.type_string() }}) as lesion_id,
        cast(assessment_date as date) as assessment_date,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(reader as {{ dbt.type_string() }}) as reader
    from described
)

select * from final
