"""pyrecist (PyPI) on the part of RECIST it supports: the sum of the target lesions' diameters.

pyrecist 0.1.0 reads one CSV of target-lesion measurements (patient_id an integer, study_date
YYYYMMDD, measurement in mm), takes each patient's first date as baseline and classifies
every later date from the sum: PD (+20 % and +5 mm over the nadir), PR (-30 % from baseline,
then PR until PD), else SD; nothing after the first PD; no CR, no NE, no non-target or new
lesions. The harness times its command line (`python -m pyrecist`) on the marts' target sums
and reports how often its class equals fct_evaluations.target_response; they are not expected
to agree everywhere (CR, NE, and "once PR, PR until PD" differ by design).
"""
from __future__ import annotations

from pathlib import Path

import duckdb


def write_input(marts_db: Path, path: Path) -> int:
    """pyrecist's input from the marts: each target lesion's baseline and post-baseline values."""
    with duckdb.connect(str(marts_db), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"""
            copy (
                with readings as (
                    select patient_id, lesion_id, baseline_date as assessment_date, baseline_mm as diameter_mm
                    from dim_target_lesions
                    union all
                    select patient_id, lesion_id, assessment_date, diameter_mm
                    from fct_lesion_measurements
                    where diameter_mm is not null
                )
                select
                    dense_rank() over (order by patient_id) as patient_id,
                    strftime(assessment_date, '%Y%m%d') as study_date,
                    diameter_mm as measurement,
                    lesion_id as lesion_label_alias,
                    'target' as lesion_category,
                    patient_id as source_patient_id
                from readings
                order by patient_id, study_date, lesion_label_alias
            ) to '{path}' (header, delimiter ',')""")
        return con.execute(f"select count(*) from read_csv('{path}')").fetchone()[0]


def agreement(marts_db: Path, source: Path, result: Path) -> str:
    """How often pyrecist's class equals the marts' target response, on the dates it classifies."""
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"attach '{marts_db}' as marts (read_only)")
        classified, same = con.execute(f"""
            with ids as (
                select distinct patient_id, source_patient_id
                from read_csv('{source}', types = {{'source_patient_id': 'varchar'}})
            ),
            results as (
                select ids.source_patient_id as patient_id,
                       strptime(cast(r.current_date as varchar), '%Y%m%d')::date as assessment_date,
                       r.classification
                from read_csv('{result}', types = {{'current_date': 'varchar', 'classification': 'varchar'}}) as r
                inner join ids on r.patient_id = ids.patient_id
                where r.classification is not null
            )
            select count(*), count(*) filter (where e.target_response = results.classification)
            from results
            left join marts.fct_evaluations as e
                on e.patient_id = results.patient_id and e.assessment_date = results.assessment_date
            """).fetchone()
    share = f" ({100 * same / classified:.1f} %)" if classified else ""
    return f"{same} of {classified} classified evaluations equal target_response{share}"
