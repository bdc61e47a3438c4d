"""A generative model of immunotherapy cohorts, drawn in vectorised chunks of patients.

Each patient has a response tendency u ~ N(0, 1). It sets the latent time to progression
(a share of long responders never progress; the rest progress after a log-normal time that
is longer for a high u) and the depth of the tumour shrinkage. Each target lesion deviates
from its patient by site (liver lesions rarely shrink, lung and nodes more often), by prior
radiotherapy (recent: more shrinkage, remote: less) and by a prior biopsy (more), plus its
own noise; it escapes at its own time around the patient's progression, so lesions of one
patient can diverge (dissociated responses). Scans come every 6-9 weeks until the first scan
after progression, death or the end of follow-up, and a third of progressing patients are
scanned 1-3 more times under treatment beyond progression. Protocol exclusions follow the
seed study's flow chart. For iRECIST, new lesions at progression are listed in
new_lesions.csv (1-2 at the first, one more at a later scan now and then, growing), non-target
disease increases further after a non-target PD, and a few patients show a pseudo-progression:
a small new lesion at one scan before progression, gone at the next. These draws come from a
stream of their own, so the other files are those drawn without them.
"""
from __future__ import annotations

import math

import numpy as np

from analysis_py.simulation import attributes, rules
from analysis_py.simulation.readers import reread, with_readers

FLOW = {"screening_failure": 104, "concomitant_chemotherapy": 33, "concomitant_targeted_therapy": 1,
        "fewer_than_two_target_lesions": 16, "no_follow_up_assessment": 15, "eligible": 100}
REASONS = np.array([r if r in ("screening_failure", "concomitant_chemotherapy", "concomitant_targeted_therapy")
                    else "" for r in FLOW], dtype=object)
SINGLE_TARGET, NO_FOLLOW_UP, SCREENING_FAILURE = 3, 4, 0
TARGETS_PER_PATIENT = {2: 49, 3: 35, 4: 11, 5: 5}

FIRST_INCLUSION = np.datetime64("2014-01-06").astype(int)
INCLUSION_SPAN_DAYS = 2000
CUTOFF = np.datetime64("2021-12-31").astype(int)
MAX_SCANS = 40
MAX_DIAMETER = 25000     # hundredths of mm: growth saturates at 25 cm

GROUPS = attributes.SITE_GROUPS                      # lung, lymph_node, liver, head_neck, adrenal, other
SITE_SHRINK = np.array([-0.15, -0.10, 0.35, 0.0, 0.05, 0.0])   # added to the log size at the nadir
BASELINE_MEDIAN_MM = np.array([20.0, 21.0, 30.0, 32.0, 33.0, 24.0])
SITE_TEXTS = {"lung": ["lung", "Lung", "left lung", "right lung"],
              "lymph_node": ["cervical lymph node", "mediastinal lymph node", "axillary lymph node",
                             "retroperitoneal lymph node", "iliac lymph node"],
              "liver": ["liver", "Liver"], "head_neck": ["neck", "head and neck"],
              "adrenal": ["adrenal gland", "left adrenal"],
              "other": ["pleura", "peritoneum", "skin", "soft tissue", "kidney", "spleen"]}
NON_TARGET_SITES = np.array(["bone", "lung", "liver", "pleura", "mediastinal lymph node", "peritoneum", "brain"])
RECENT_RT_SHRINK, REMOTE_RT_SHRINK, BIOPSY_SHRINK = -0.08, 0.15, -0.12
P_IRRADIATED, P_RECENT, P_BIOPSIED = 0.18, 0.22, 0.15
P_LONG_RESPONDER = 0.17
P_BEYOND_PROGRESSION = 0.3
P_PSEUDO_PROGRESSION = 0.02          # per follow-up scan before progression: a transient new lesion
P_FURTHER_NEW_LESION = 0.4           # per later scan with new lesions: one more appears
P_MEASURABLE_NEW = 0.6               # a new lesion's first value is measurable (irecist_new_lesion_min_mm to 25 mm), else 5 mm to 0.1 mm below
P_NON_TARGET_INCREASE = 0.5          # per scan after a non-target PD: it increased further
NEW_LESION_SITES = np.array(["lung", "liver", "bone", "peritoneum", "mediastinal lymph node"])


def chunk_tables(first: int, n: int, seed: int, id_width: int, readers: int = 1,
                 reader_cv: float = 0.0) -> dict[str, list[np.ndarray]]:
    """The six input files' columns (string arrays) for screened patients first..first+n-1;
    with several readers, measurements.csv has every reader's readings and a reader column
    (simulation/readers.py)."""
    rng = np.random.default_rng([seed, first])
    patients = draw_patients(first, n, rng)
    lesions = draw_lesions(patients, rng)
    scans = draw_scans(patients, rng)
    measurements = draw_measurements(patients, lesions, scans, rng)
    ids = np.char.add("P", np.char.zfill(np.arange(first + 1, first + n + 1).astype(str), id_width))
    assessments = assessment_columns(ids, patients, scans, rng)
    readings = measurement_columns(ids, measurements)
    if readers > 1:
        readings = with_readers(readings, [
            measurement_columns(ids, reread(measurements, reader_cv, np.random.default_rng([seed, first, reader]),
                                              MAX_DIAMETER))
            for reader in range(2, readers + 1)])
    tables = {
        "patients.csv": patient_columns(ids, patients),
        "lesions.csv": lesion_columns(ids, lesions),
        "measurements.csv": readings,
        "procedures.csv": procedure_columns(ids, patients, lesions, rng),
    }
    tables["assessments.csv"], tables["new_lesions.csv"] = irecist_columns(
        assessments, scans, np.random.default_rng([seed, first, 1]))
    return tables


# --- patients ------------------------------------------------------------------------------

def draw_patients(first: int, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    weights = np.array(list(FLOW.values()), dtype=float)
    flow = rng.choice(len(FLOW), n, p=weights / weights.sum())
    tendency = rng.normal(0, 1, n)
    inclusion = FIRST_INCLUSION + rng.integers(0, INCLUSION_SPAN_DAYS, n)
    progression = progression_months(tendency, rng)
    death = inclusion + np.round(death_months(progression, rng) * rules.DAYS_PER_MONTH).astype(int)
    return dict(flow=flow, tendency=tendency, inclusion=inclusion, progression=progression, death=death,
                primary=attributes.draw_primaries(n, rng), sex=np.where(rng.random(n) < attributes.MALE_SHARE, "M", "F"),
                age=attributes.draw_ages(n, rng), prior_lines=attributes.draw_prior_lines(n, rng),
                regimen=attributes.draw_regimens(n, rng), months_to_ici=attributes.draw_months_to_ici(n, rng),
                trial=rng.integers(1, attributes.N_TRIALS + 1, n),
                n_targets=targets_per_patient(flow, rng), rt_recent=rng.random(n) < P_RECENT)


def progression_months(tendency: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Latent months to progression: infinite for long responders, else log-normal around 2.2
    months, longer for a high tendency."""
    months = np.exp(np.log(2.2) + 0.6 * tendency + rng.normal(0, 0.55, len(tendency)))
    long_responder = rng.random(len(tendency)) < P_LONG_RESPONDER * (1 + np.tanh(tendency))
    return np.where(long_responder, np.inf, months)


def death_months(progression: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Death after progression (log-normal, median 8 months) or of other causes (median 6 years)."""
    after = np.exp(np.log(8.0) + rng.normal(0, 0.9, len(progression)))
    other = np.exp(np.log(72.0) + rng.normal(0, 0.8, len(progression)))
    return np.minimum(np.where(np.isinf(progression), np.inf, progression + after), other)


def targets_per_patient(flow: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    values = np.array(list(TARGETS_PER_PATIENT))
    weights = np.array(list(TARGETS_PER_PATIENT.values()), dtype=float)
    n = values[rng.choice(len(values), len(flow), p=weights / weights.sum())]
    n = np.where(flow == SINGLE_TARGET, 1, n)
    return np.where((flow == SCREENING_FAILURE) & (rng.random(len(flow)) < 0.15), 0, n)


# --- lesions -------------------------------------------------------------------------------

def draw_lesions(patients: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Target lesions (site group, baseline, own response) then a few non-target lesions."""
    owner = np.repeat(np.arange(len(patients["flow"])), patients["n_targets"])
    m = len(owner)
    group = draw_site_groups(patients["primary"][owner], rng)
    node = group == 1
    baseline_mm = BASELINE_MEDIAN_MM[group] * np.exp(rng.normal(0, 0.4, m))
    baseline = np.round(np.clip(baseline_mm, np.where(node, 15.5, 10.5), 110) * 100).astype(np.int64)
    irradiated = rng.random(m) < P_IRRADIATED * np.where(group == 3, 3.0, 1.0)
    recent = irradiated & patients["rt_recent"][owner]
    biopsied = rng.random(m) < P_BIOPSIED
    shrink = (-0.05 - 0.3 * patients["tendency"][owner] + SITE_SHRINK[group] + rng.normal(0, 0.3, m)
              + np.where(recent, RECENT_RT_SHRINK, np.where(irradiated, REMOTE_RT_SHRINK, 0)) + biopsied * BIOPSY_SHRINK)
    escape = patients["progression"][owner] * np.exp(rng.normal(0, 0.35, m))
    number = np.arange(m) - np.repeat(np.cumsum(patients["n_targets"]) - patients["n_targets"], patients["n_targets"])
    return dict(owner=owner, number=number + 1, group=group, site=site_texts(group, rng), node=node,
                baseline=baseline, shrink=np.minimum(shrink, 0.25), growth=np.exp(rng.normal(np.log(0.3), 0.35, m)),
                escape=escape, irradiated=irradiated, recent=recent, biopsied=biopsied,
                **non_target_lesions(patients, rng))


def draw_site_groups(primaries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A site group per lesion, drawn with the affinity of its patient's primary tumour."""
    names, inverse = np.unique(primaries, return_inverse=True)
    weights = np.array([attributes.affinity(name) for name in names])
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)[inverse]
    return (rng.random(len(primaries))[:, None] > cumulative).sum(axis=1).clip(max=len(GROUPS) - 1)


def site_texts(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    texts = np.empty(len(group), dtype=object)
    for g, name in enumerate(GROUPS):
        options = np.array(SITE_TEXTS[name], dtype=object)
        where = group == g
        texts[where] = options[rng.integers(0, len(options), where.sum())]
    return texts


def non_target_lesions(patients: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n_non_target = rng.poisson(2.5, len(patients["flow"])) * (patients["n_targets"] > 0)
    owner = np.repeat(np.arange(len(n_non_target)), n_non_target)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(n_non_target) - n_non_target, n_non_target)
    return dict(nt_owner=owner, nt_number=patients["n_targets"][owner] + rank + 1,
                nt_site=NON_TARGET_SITES[rng.integers(0, len(NON_TARGET_SITES), len(owner))])


# --- scans and measurements ------------------------------------------------------------------

def draw_scans(patients: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scan days (from inclusion) per patient: column 0 the baseline, then every 6-9 weeks (9-12
    after a year) while the patient is alive, followed and not yet past progression."""
    n = len(patients["flow"])
    intervals = np.where(np.arange(MAX_SCANS) < 7, rng.integers(42, 64, (n, MAX_SCANS)),
                         rng.integers(63, 85, (n, MAX_SCANS)))
    intervals[:, 0] = -rng.integers(0, 22, n)
    days = np.concatenate([intervals[:, :1], np.cumsum(intervals[:, 1:], axis=1)], axis=1)
    progression_day = patients["progression"] * rules.DAYS_PER_MONTH
    first_after = (days < progression_day[:, None]).sum(axis=1)          # index of the progression scan
    extra = np.where(rng.random(n) < P_BEYOND_PROGRESSION, rng.integers(1, 4, n), 0)
    alive_until = np.minimum(patients["death"], CUTOFF) - patients["inclusion"]
    keep = (np.arange(MAX_SCANS) <= (first_after + extra)[:, None]) & (days < alive_until[:, None])
    keep[:, 1:] &= ~np.isin(patients["flow"], [SCREENING_FAILURE, NO_FOLLOW_UP])[:, None]
    keep &= (patients["n_targets"] > 0)[:, None]
    keep[:, 0] |= (patients["n_targets"] > 0)
    return dict(days=days, keep=keep, progression_scan=first_after)


def draw_measurements(patients: dict, lesions: dict, scans: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One reading per target lesion per kept scan of its patient."""
    owner = lesions["owner"]
    kept = scans["keep"][owner]
    lesion_index, scan_index = np.nonzero(kept)
    day = scans["days"][owner[lesion_index], scan_index]
    months = np.maximum(day, 0) / rules.DAYS_PER_MONTH
    log_ratio = (lesions["shrink"][lesion_index] * np.minimum(months / 3.0, 1.0)
                 + lesions["growth"][lesion_index] * np.maximum(months - lesions["escape"][lesion_index], 0)
                 + rng.normal(0, 0.04, len(day)) * (scan_index > 0))
    value = lesions["baseline"][lesion_index] * np.exp(log_ratio)
    node = lesions["node"][lesion_index]
    value = np.clip(value, np.where(node, 400, 0), MAX_DIAMETER)
    too_small = ~node & (value < float(rules.TOO_SMALL))
    status = np.where(~node & (value < 300), "absent", np.where(too_small, "too_small", ""))
    status = np.where((scan_index > 0) & (rng.random(len(day)) < 0.003), "not_evaluable", status)
    return dict(owner=owner[lesion_index], number=lesions["number"][lesion_index],
                date=patients["inclusion"][owner[lesion_index]] + day,
                value=np.round(value).astype(np.int64), status=status)


# --- the rows of each file ---------------------------------------------------------------------

def iso(days: np.ndarray) -> np.ndarray:
    """ISO dates from days since 1970-01-01."""
    return days.astype("datetime64[D]").astype(str)


def iso_or_empty(days: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.where(present, iso(np.where(present, days, 0)), "")


def millimetres(hundredths: np.ndarray) -> np.ndarray:
    """Diameters with exactly two decimals, from integer hundredths of a millimetre."""
    whole = (hundredths // 100).astype(str)
    return np.strings.add(np.strings.add(whole, "."), np.strings.zfill((hundredths % 100).astype(str), 2))


def lesion_ids(number: np.ndarray) -> np.ndarray:
    return np.strings.add("L", np.strings.zfill(number.astype(str), 2))


def patient_columns(ids: np.ndarray, patients: dict) -> list[np.ndarray]:
    flow, inclusion = patients["flow"], patients["inclusion"]
    dead = patients["death"] <= CUTOFF
    treatment_end = inclusion + np.minimum(np.round(patients["progression"] * rules.DAYS_PER_MONTH + 14), 1095).astype(int)
    treated = flow != SCREENING_FAILURE
    diagnosis = inclusion - np.round(patients["months_to_ici"] * rules.DAYS_PER_MONTH).astype(int)
    last_contact = np.where(dead, patients["death"], CUTOFF - 7)
    return [ids, np.strings.add("TRIAL", np.strings.zfill(patients["trial"].astype(str), 2)), patients["sex"],
            patients["age"].astype(str), patients["primary"].astype(str), patients["prior_lines"].astype(str),
            patients["regimen"].astype(str), iso(diagnosis), iso(inclusion),
            iso_or_empty(np.minimum(treatment_end, np.where(dead, patients["death"], CUTOFF)), treated),
            iso(last_contact), iso_or_empty(patients["death"], dead), REASONS[flow].astype(str)]


def lesion_columns(ids: np.ndarray, lesions: dict) -> list[np.ndarray]:
    owner = np.concatenate([lesions["owner"], lesions["nt_owner"]])
    number = np.concatenate([lesions["number"], lesions["nt_number"]])
    order = np.lexsort((number, owner))
    role = np.concatenate([np.full(len(lesions["owner"]), "target"), np.full(len(lesions["nt_owner"]), "non_target")])
    site = np.concatenate([lesions["site"].astype(str), lesions["nt_site"]])
    return [ids[owner][order], lesion_ids(number)[order], role[order], site[order], np.full(len(owner), "")]


def measurement_columns(ids: np.ndarray, m: dict) -> list[np.ndarray]:
    valued = m["status"] == ""
    diameter = np.where(valued, millimetres(m["value"]), "")
    return [ids[m["owner"]], lesion_ids(m["number"]), iso(m["date"]), diameter, m["status"]]


def assessment_columns(ids: np.ndarray, patients: dict, scans: dict, rng: np.random.Generator) -> list[np.ndarray]:
    """New lesions and non-target response at every follow-up scan; progression shows at and after
    the progression scan."""
    owner, scan = np.nonzero(scans["keep"][:, 1:])
    scan += 1
    progressed = scan >= scans["progression_scan"][owner]
    new = np.where(progressed & (rng.random(len(owner)) < 0.5), "yes", "no")
    non_target = np.where(progressed & (rng.random(len(owner)) < 0.3), "PD", "NON_CR_NON_PD")
    day = patients["inclusion"][owner] + scans["days"][owner, scan]
    return [ids[owner], iso(day), new, non_target, owner, scan, progressed]


def irecist_columns(assessments: list[np.ndarray], scans: dict,
                    rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """assessments.csv with pseudo-progressions and non_target_increase, and new_lesions.csv."""
    patient, date, new, non_target, owner, scan, progressed = assessments
    same_patient_next = np.append(owner[1:] == owner[:-1], False)
    pseudo = ~progressed & np.append(~progressed[1:], False) & same_patient_next \
        & (rng.random(len(owner)) < P_PSEUDO_PROGRESSION)
    new = np.where(pseudo, "yes", new)
    previous_pd = np.insert((non_target[:-1] == "PD") & (owner[1:] == owner[:-1]), 0, False)
    increase = np.where(previous_pd & (non_target == "PD"),
                        np.where(rng.random(len(owner)) < P_NON_TARGET_INCREASE, "yes", "no"), "")
    rows = new_lesion_rows(patient, date, new, owner, scan, pseudo, rng)
    return [patient, date, new, non_target, increase], rows


def new_lesion_rows(patient, date, new, owner, scan, pseudo, rng: np.random.Generator) -> list[np.ndarray]:
    """One row per new lesion per scan with new lesions `yes`: a pseudo-progression's lesion
    (6 mm) at its scan only; at progression 1-2 lesions at the first such scan of the patient,
    one more now and then later, each growing 0-4 mm per scan."""
    rows: list[tuple] = []
    present: dict[int, list[list]] = {}
    for i in np.nonzero(new == "yes")[0]:
        if pseudo[i]:
            rows.append((patient[i], f"N{scan[i]:02d}a", date[i], "lung", 600))
            continue
        lesions = present.setdefault(int(owner[i]), [])
        appearing = rng.integers(1, 3) if not lesions else int(rng.random() < P_FURTHER_NEW_LESION)
        for lesion in lesions:
            lesion[2] += rng.integers(0, 401)
        for k in range(appearing):
            first = new_lesion_first_value(rng)
            lesions.append([f"N{scan[i]:02d}{'ab'[k]}", NEW_LESION_SITES[rng.integers(0, len(NEW_LESION_SITES))], first])
        rows.extend((patient[i], lesion_id, date[i], site, value) for lesion_id, site, value in lesions)
    if not rows:
        return [np.array([], dtype=str) for _ in range(6)]  # the six columns returned below
    patients, lesion_ids_, dates, sites, hundredths = (np.array(column) for column in zip(*rows))
    return [patients, lesion_ids_, dates, sites, millimetres(hundredths.astype(np.int64)), np.full(len(rows), "")]


def new_lesion_first_value(rng: np.random.Generator) -> int:
    """A new lesion's first value in hundredths of a mm: measurable (irecist_new_lesion_min_mm
    to 25 mm) with probability P_MEASURABLE_NEW, else 5 mm to 0.1 mm below that."""
    measurable = math.ceil(rules.NEW_LESION_MIN)
    return int(rng.integers(measurable, 2501) if rng.random() < P_MEASURABLE_NEW else rng.integers(500, measurable - 9))


def procedure_columns(ids: np.ndarray, patients: dict, lesions: dict, rng: np.random.Generator) -> list[np.ndarray]:
    """Radiotherapy of the irradiated targets (recent: from 30 days to a few days inside
    recent_radiotherapy_days before inclusion, else 17 days or more past it) and biopsies."""
    owner = lesions["owner"]
    inclusion = patients["inclusion"][owner]
    rt_day = inclusion - np.where(lesions["recent"], rng.integers(30, rules.RECENT_RADIOTHERAPY_DAYS - 3, len(owner)),
                                  rng.integers(rules.RECENT_RADIOTHERAPY_DAYS + 17, 2500, len(owner)))
    primary_field = (lesions["group"] == 3) | ((lesions["group"] == 1) & (patients["primary"][owner] == "Head and neck"))
    rt = lesions["irradiated"]
    bx = lesions["biopsied"]
    pick = np.concatenate([np.nonzero(rt)[0], np.nonzero(bx)[0]])
    kind = np.concatenate([np.full(rt.sum(), "radiotherapy"), np.full(bx.sum(), "biopsy")])
    day = np.concatenate([rt_day[rt], inclusion[bx] - rng.integers(10, 900, bx.sum())])
    target = np.concatenate([np.where(primary_field[rt], "primary", "metastasis"), np.full(bx.sum(), "")])
    order = np.lexsort((kind, lesions["number"][pick], owner[pick]))
    return [ids[owner[pick]][order], kind[order], iso(day)[order], lesion_ids(lesions["number"][pick])[order], target[order]]


def csv_text(columns: list[np.ndarray]) -> str:
    """Comma-joined rows, one per line, ending with a newline (empty string for no rows)."""
    if len(columns[0]) == 0:
        return ""
    line = columns[0].astype(str)
    for column in columns[1:]:
        line = np.strings.add(np.strings.add(line, ","), column.astype(str))
    return "\n".join(line.tolist()) + "\n"
