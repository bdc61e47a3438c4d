"""The bundled demo cohort: 269 synthetic screened patients calibrated to the seed study.

Constructive, not fitted: the eligible patients follow the courses of `courses.py` (whose
counts pin Table 2, the DR figures and the evaluation totals), their target lesions get
sites from pools holding the published site counts, their diameters are drawn inside the
RECIST 1.1 intervals that give the planned responses, and radiotherapy and biopsies go to
the lesions that bring the published counts and response rates closest. Everything is drawn
from one seeded generator, so `lesionwise simulate --demo` rewrites the same bytes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from analysis_py import input_contract
from analysis_py.simulation import attributes, generator, rules
from analysis_py.simulation.associations import Plans, adjusted_irradiated_loss, factor_loss
from analysis_py.simulation.courses import COURSES, Course
from analysis_py.simulation.trajectories import Unreachable, draw_baseline, draw_values
from analysis_py.study.survival import km_curve, km_median

DEMO_SEED = 20190607
# The second reader R2 (docs/readers.md): every valued reading of R1 times a log-normal error
# of this CV, from its own seeded stream (R1's readings are the calibrated demo's); tuned so that
# the overall-response kappa is of the published order (about 0.5-0.7, docs/demo-cohort.md)
SECOND_READER_CV = 0.25
SECOND_READER_SEED = 20190608
# new_lesions.csv (iRECIST): lesions only at the evaluations whose assessments.csv says new
# lesions `yes`, from their own seeded stream, so the five calibrated files and every RECIST 1.1
# response stay as they were
NEW_LESION_SEED = 20190609
NEW_LESION_COUNT_WEIGHTS = (0.5, 0.35, 0.15)  # 1, 2 or 3 new lesions at a progression
P_NEW_NOT_MEASURED = 0.25  # a non-measurable new lesion is given without a diameter (seen, not measured)
TRANSIENT_NEW_HUNDREDTHS = (500, 800)  # a pseudo-progression's new lesion: 5 to 7.99 mm, gone at the next scan
CUTOFF = date(2021, 12, 31)
FIRST_INCLUSION, LAST_INCLUSION = date(2014, 1, 6), date(2019, 6, 28)
MAX_DRAWS = 20000

EXCLUSIONS = {"screening_failure": 104, "concomitant_chemotherapy": 33,
              "fewer_than_two_target_lesions": 16, "no_follow_up_assessment": 15,
              "concomitant_targeted_therapy": 1}
DERIVED_REASONS = {"fewer_than_two_target_lesions", "no_follow_up_assessment"}

TL_SITES = {"lung": 94, "lymph_node": 63, "liver": 45, "head_neck": 25, "adrenal": 11, "other": 34}
RESPONDING_TLS = {"lung": 24, "lymph_node": 11, "liver": 1, "head_neck": 6, "adrenal": 2, "other": 8}
OTHER_LOCATIONS = {"Pleural": 13, "Peritoneum": 8, "Skin": 7, "Brain": 3, "Breast": 1, "Stomach": 1,
                   "Ovarian": 1, "Pancreas": 1, "Psoas": 1, "Bladder": 1}
LOCATIONS = {"Lung": 60, "Lymph node": 54, "Liver": 31, "Head and neck": 27, "Bone": 22,
             "Adrenal": 7, **OTHER_LOCATIONS}
GROUP_LOCATION = {"lung": "Lung", "lymph_node": "Lymph node", "liver": "Liver",
                  "head_neck": "Head and neck", "adrenal": "Adrenal", "bone": "Bone"}
LOCATION_SITE = {"Lung": "lung", "Liver": "liver", "Head and neck": "neck", "Bone": "bone",
                 "Adrenal": "adrenal gland", "Pleural": "pleura", "Peritoneum": "peritoneum",
                 "Skin": "skin", "Brain": "brain", "Breast": "breast", "Stomach": "stomach",
                 "Ovarian": "ovary", "Pancreas": "pancreas", "Psoas": "psoas muscle", "Bladder": "bladder"}
LOCATION_PRIMARY = {"Pleural": ("Lung", "Breast"), "Peritoneum": ("Ovarian", "Cervical", "Endometrial",
                    "Stomach", "Adrenocortical"), "Skin": ("Head and neck", "Breast", "Penile"),
                    "Brain": ("Lung", "Breast"), "Breast": ("Breast",), "Stomach": ("Stomach",),
                    "Ovarian": ("Ovarian",), "Pancreas": ("Pancreas",), "Bladder": ("Urothelial",)}
NODE_SITES = {"Head and neck": ("cervical lymph node",), "Lung": ("mediastinal lymph node", "hilar lymph node")}
OTHER_NODE_SITES = ("axillary lymph node", "retroperitoneal lymph node", "iliac lymph node", "inguinal lymph node")
METASTASES_FIVE_OR_MORE = 82
# Two targets in one organ are likelier where Table 1 has few patients for many lesions
# (adrenal 11 TLs in 7 patients, liver 45 in 31, lung 94 in 60).
SECOND_LESION_BOOST = np.array([2.5, 1.5, 2.5, 1.5, 8.0, 1.5])  # in attributes.SITE_GROUPS order

IRRADIATED_TLS = {"head_neck": 18, "lymph_node": 15, "lung": 7, "elsewhere": 9}
BIOPSIED_TLS = {"lung": 13, "head_neck": 9, "liver": 8, "lymph_node": 4, "elsewhere": 8}
RT_PATIENTS = {"primary": 44, "metastasis": 18}
RECENT_RT_PATIENTS = {"primary": 7, "metastasis": 10}
RECENT_IRRADIATED_TLS = 11
NODE_SWAPS = 6000  # tries at swapping a lymph-node target's site with another's (balance_node_sites)
SITE_SPREAD_WEIGHT = 10  # loss per squared change in the patients having a site group (Table 1 counts)


def responding_plan(plan: str) -> bool:
    """Best response CR or PR: a C or P before the lesion's first D."""
    return any(letter in "CP" for letter in plan.split("D")[0])


@dataclass
class Lesion:
    lesion_id: str
    role: str
    group: str
    site: str
    plan: str = ""
    baseline: int = 0
    values: list[int] = field(default_factory=list)
    irradiated: bool = False
    biopsied: bool = False

    @property
    def node(self) -> bool:
        return self.group == "lymph_node"

    @property
    def location(self) -> str:
        return GROUP_LOCATION.get(self.group) or next(k for k, v in LOCATION_SITE.items() if v == self.site)

    @property
    def responding(self) -> bool:
        return responding_plan(self.plan)


@dataclass
class Patient:
    primary: str
    exclusion: str
    course: Course | None
    lesions: list[Lesion] = field(default_factory=list)
    patient_id: str = ""
    study_id: str = ""
    sex: str = ""
    age: int = 0
    prior_lines: int = 0
    regimen: str = ""
    months_to_ici: int = 0
    inclusion: date = FIRST_INCLUSION
    scan_days: list[int] = field(default_factory=list)
    new_lesions: list[str] = field(default_factory=list)
    non_target: list[str] = field(default_factory=list)
    death_day: int | None = None
    last_contact_day: int | None = None
    treatment_end_day: int | None = None
    procedures: list[tuple[str, int, str, str]] = field(default_factory=list)

    @property
    def targets(self) -> list[Lesion]:
        return [lesion for lesion in self.lesions if lesion.role == "target"]

    @property
    def progression(self) -> int | None:
        return self.course.first_progression if self.course else None

    def add_lesion(self, role: str, group: str, site: str) -> Lesion:
        lesion = Lesion(f"L{len(self.lesions) + 1:02d}", role, group, site)
        self.lesions.append(lesion)
        return lesion


# --- eligible patients: courses, attributes and target sites --------------------------------

def eligible_patients(rng: np.random.Generator) -> list[Patient]:
    """The 100 eligible patients with their Table 1 attributes, courses and target sites."""
    courses = [course for course in COURSES for _ in range(course.n_patients)]
    courses = [courses[i] for i in rng.permutation(len(courses))]
    primaries = attributes.exact_shuffle(attributes.PRIMARY_TUMORS, rng)
    patients = [Patient(primary, "", course) for primary, course in zip(primaries, courses)]
    set_table1_attributes(patients, rng)
    assign_target_sites(patients, rng)
    return patients


def set_table1_attributes(patients: list[Patient], rng: np.random.Generator) -> None:
    """Sex, age, prior lines, regimen and months to ICI with Table 1's exact counts and medians."""
    n = len(patients)
    sexes = attributes.exact_shuffle({"M": round(n * attributes.MALE_SHARE), "F": n - round(n * attributes.MALE_SHARE)}, rng)
    lines = attributes.exact_shuffle(attributes.PRIOR_LINES, rng)
    regimens = attributes.exact_shuffle(attributes.REGIMENS, rng)
    ages = attributes.pin_median_and_range(attributes.draw_ages(n, rng), attributes.AGE_MEDIAN,
                                           attributes.AGE_MIN, attributes.AGE_MAX)
    months = attributes.pin_median_and_range(attributes.draw_months_to_ici(n, rng), attributes.MONTHS_TO_ICI_MEDIAN,
                                             attributes.MONTHS_TO_ICI_MIN, attributes.MONTHS_TO_ICI_MAX)
    for i, patient in enumerate(patients):
        patient.sex, patient.prior_lines, patient.regimen = sexes[i], int(lines[i]), regimens[i]
        patient.age, patient.months_to_ici = int(ages[i]), int(months[i])


def assign_target_sites(patients: list[Patient], rng: np.random.Generator) -> None:
    """Target sites drawn from pools with the published counts per site and per best response."""
    for _ in range(100):
        pools = {True: dict(RESPONDING_TLS), False: {g: TL_SITES[g] - RESPONDING_TLS[g] for g in TL_SITES}}
        try:
            groups = [draw_groups(patient, pools, rng) for patient in patients]
            break
        except Unreachable:
            continue
    balance_node_sites(patients, groups, rng)
    other_capacity = dict(OTHER_LOCATIONS)
    for patient, lesion_groups in zip(patients, groups):
        for plan, group in zip(patient.course.plans, lesion_groups):
            lesion = patient.add_lesion("target", group, site_text(patient, group, other_capacity, rng))
            lesion.plan = plan


def balance_node_sites(patients: list[Patient], groups: list[list[str]], rng: np.random.Generator,
                       steps: int = NODE_SWAPS) -> None:
    """Swaps the sites of a lymph-node and another target lesion of the same best-response class
    (the Fig. 3 counts hold) when that brings the lymph nodes' response and DR figures closer to
    the paper's, keeps at most 2 targets per site group in a patient and the number of patients
    with each site group."""
    plans = Plans.of([list(p.course.plans) for p in patients])
    slots = [(i, j) for i, patient in enumerate(patients) for j in range(len(patient.course.plans))]
    responding = np.array([responding_plan(patients[i].course.plans[j]) for i, j in slots])
    start = patients_per_group(groups)

    def loss() -> float:
        node = np.array([groups[i][j] == "lymph_node" for i, j in slots])
        spread = patients_per_group(groups)
        return factor_loss(plans, "lymph_node", node, ~node) + SITE_SPREAD_WEIGHT * sum(
            (spread[g] - start[g]) ** 2 for g in start)

    best = loss()
    for _ in range(steps):
        a, b = rng.integers(len(slots), size=2)
        (i, j), (k, m) = slots[a], slots[b]
        if responding[a] != responding[b] or (groups[i][j] == "lymph_node") == (groups[k][m] == "lymph_node"):
            continue
        groups[i][j], groups[k][m] = groups[k][m], groups[i][j]
        value = loss() if max(map(groups[i].count, groups[i])) <= 2 and max(map(groups[k].count, groups[k])) <= 2 \
            else np.inf
        if value <= best:
            best = value
        else:
            groups[i][j], groups[k][m] = groups[k][m], groups[i][j]


def patients_per_group(groups: list[list[str]]) -> dict[str, int]:
    return {g: sum(g in patient_groups for patient_groups in groups) for g in attributes.SITE_GROUPS}


def draw_groups(patient: Patient, pools: dict[bool, dict[str, int]], rng: np.random.Generator) -> list[str]:
    """Site groups of one patient's targets, taken from the pool of their best-response class."""
    chosen: list[str] = []
    weights_base = attributes.affinity(patient.primary)
    for plan in patient.course.plans:
        pool = pools[responding_plan(plan)]
        counts = np.array([pool[g] for g in attributes.SITE_GROUPS], dtype=float)
        taken = np.array([chosen.count(g) for g in attributes.SITE_GROUPS])
        weights = counts * weights_base * np.where(taken == 1, SECOND_LESION_BOOST, 1.0) * (taken < 2)
        if weights.sum() == 0:
            weights = counts * (taken < 2)
        if weights.sum() == 0:
            raise Unreachable("no site left for this patient")
        group = attributes.SITE_GROUPS[rng.choice(len(weights), p=weights / weights.sum())]
        pool[group] -= 1
        chosen.append(group)
    return chosen


def site_text(patient: Patient, group: str, other_capacity: dict[str, int], rng: np.random.Generator) -> str:
    """The free-text site a radiologist would write for a lesion of this group."""
    if group == "lymph_node":
        names = NODE_SITES.get(patient.primary, OTHER_NODE_SITES)
        return names[rng.integers(len(names))]
    if group != "other":
        return LOCATION_SITE[GROUP_LOCATION[group]]
    own = [lesion.site for lesion in patient.lesions if lesion.group == "other"]
    if own:
        return own[0]
    location = pick_location(patient, other_capacity, rng)
    other_capacity[location] -= 1
    return LOCATION_SITE[location]


def pick_location(patient: Patient, capacity: dict[str, int], rng: np.random.Generator) -> str:
    """An 'other' location with room left, favouring those typical of the patient's primary."""
    names = [name for name, room in capacity.items() if room > 0] or list(capacity)
    weights = np.array([4.0 if patient.primary in LOCATION_PRIMARY.get(name, ()) else 1.0 for name in names])
    weights *= np.array([max(capacity[name], 0.2) for name in names])
    return names[rng.choice(len(names), p=weights / weights.sum())]


# --- non-target lesions: Table 1 locations and number of metastases ---------------------------

def add_non_target_lesions(patients: list[Patient], rng: np.random.Generator) -> None:
    """Non-target lesions bringing each metastatic location and the >= 5 metastases count to Table 1."""
    for location, wanted in LOCATIONS.items():
        have = [p for p in patients if any(lesion.location == location for lesion in p.lesions)]
        lacking = [p for p in patients if p not in have]
        for patient in pick_patients(lacking, wanted - len(have), location, rng):
            add_non_target(patient, location, rng)
    few = sorted((p for p in patients if len(p.lesions) < 5), key=lambda p: -len(p.lesions))
    missing = METASTASES_FIVE_OR_MORE - (len(patients) - len(few))
    for patient in few[:max(missing, 0)]:
        while len(patient.lesions) < 5 + rng.integers(0, 3):
            location = patient.lesions[rng.integers(len(patient.lesions))].location
            add_non_target(patient, location, rng)


def pick_patients(candidates: list[Patient], n: int, location: str, rng: np.random.Generator) -> list[Patient]:
    """`n` candidates, favouring primaries that typically spread to `location`."""
    if n <= 0 or not candidates:
        return []
    weights = np.array([4.0 if p.primary in LOCATION_PRIMARY.get(location, ()) else 1.0 for p in candidates])
    chosen = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False, p=weights / weights.sum())
    return [candidates[i] for i in sorted(chosen)]


def add_non_target(patient: Patient, location: str, rng: np.random.Generator) -> None:
    if location == "Lymph node":
        names = NODE_SITES.get(patient.primary, OTHER_NODE_SITES)
        patient.add_lesion("non_target", "lymph_node", names[rng.integers(len(names))])
        return
    group = {v: k for k, v in GROUP_LOCATION.items()}.get(location, "other")
    patient.add_lesion("non_target", group, LOCATION_SITE[location])


# --- diameters ------------------------------------------------------------------------------

def realise_diameters(patient: Patient, rng: np.random.Generator, check_sums: bool = True) -> None:
    """Baselines and values for every target, redrawn until the target sums follow the course."""
    plan = sum_plan(patient.course)
    for _ in range(MAX_DRAWS):
        try:
            for lesion in patient.targets:
                lesion.baseline = draw_baseline(lesion.group, lesion.node, rng)
                lesion.values = draw_values(lesion.plan, lesion.baseline, lesion.node, patient.progression, rng)
        except Unreachable:
            continue
        if not check_sums or sums_follow(patient.targets, plan):
            return
    raise RuntimeError(f"no diameters found for course {patient.course}")


def sum_plan(course: Course) -> list[str]:
    """What the target sum must be at each evaluation: PR, SD, not PD, or anything after progression."""
    end = course.first_progression
    plan = []
    for k, event in enumerate(course.events):
        if end is not None and k >= end:
            plan.append("any")
        else:
            plan.append("PR" if event == "p" else "SD" if course.stable_best else "not PD")
    return plan


def sums_follow(targets: list[Lesion], plan: list[str]) -> bool:
    baseline_sum = sum(lesion.baseline for lesion in targets)
    nadir = baseline_sum
    for k, wanted in enumerate(plan):
        total = sum(lesion.values[k] for lesion in targets)
        partial = rules.partial_response(total, baseline_sum)
        if wanted != "any" and rules.progressed(total, nadir):
            return False
        if (wanted == "PR" and not partial) or (wanted == "SD" and partial):
            return False
        nadir = min(nadir, total)
    return True


def target_progression(patient: Patient, k: int) -> bool:
    """Whether the target sum alone makes evaluation k a progression."""
    sums = [sum(lesion.baseline for lesion in patient.targets)]
    sums += [sum(lesion.values[j] for lesion in patient.targets) for j in range(k + 1)]
    return rules.progressed(sums[-1], min(sums[:-1]))


# --- dates: scans, deaths, treatment ----------------------------------------------------------

def schedule_scans(n_evaluations: int, rng: np.random.Generator) -> list[int]:
    """Scan days from inclusion: a baseline within 3 weeks before, then every 7-9 weeks (9-12 after a year)."""
    days, day = [-int(rng.integers(0, 22))], 0
    for k in range(n_evaluations):
        day += int(rng.integers(49, 64)) if k < 6 else int(rng.integers(63, 85))
        days.append(day)
    return days


def set_follow_up(patients: list[Patient], rng: np.random.Generator) -> None:
    """Scans, inclusion, death, last contact and treatment end; post-progression survival is scaled
    so that the Kaplan-Meier median OS is the study's 13.4 months."""
    noise = rng.normal(0, 0.9, len(patients))
    for patient in patients:
        patient.scan_days = schedule_scans(patient.course.n_evaluations, rng)
        patient.inclusion = inclusion_date(patient, rng)
    declined_days = rng.integers(20, 80, len(patients))
    scale = calibrate(lambda s: os_median_months(patients, noise, declined_days, s), 13.4, 20, 2000)
    place_deaths(patients, noise, declined_days, scale)
    for patient in patients:
        patient.treatment_end_day = treatment_end(patient, rng)


def durable(patient: Patient) -> bool:
    """Never progresses and is followed long: alive at the cut-off."""
    return patient.progression is None and patient.course.n_evaluations >= 5


def inclusion_date(patient: Patient, rng: np.random.Generator) -> date:
    if durable(patient):
        return CUTOFF - timedelta(days=patient.scan_days[-1] + int(rng.integers(14, 90)))
    span = (LAST_INCLUSION - FIRST_INCLUSION).days
    return FIRST_INCLUSION + timedelta(days=int(rng.integers(0, span)))


def place_deaths(patients: list[Patient], noise: np.ndarray, declined_days: np.ndarray, scale: float) -> None:
    """Deaths after progression (log-normal survival), soon after the last scan when the patient
    declined without progression, none for durable patients; later than the cut-off is alive."""
    for patient, z, declined in zip(patients, noise, declined_days):
        last_scan = patient.scan_days[-1]
        if durable(patient):
            death = None
        elif patient.progression is None:
            death = last_scan + int(declined)
        else:
            death = last_scan + max(20, int(round(scale * math.exp(z))))
        follow_up_end = (CUTOFF - patient.inclusion).days
        patient.death_day = death if death is not None and death <= follow_up_end else None
        patient.last_contact_day = death if patient.death_day is not None else max(last_scan, follow_up_end - 10)


def os_median_months(patients: list[Patient], noise: np.ndarray, declined: np.ndarray, scale: float) -> float:
    place_deaths(patients, noise, declined, scale)
    times = [p.death_day if p.death_day is not None else p.last_contact_day for p in patients]
    curve = km_curve(np.array(times), np.array([p.death_day is not None for p in patients]))
    median, _, _ = km_median(curve, "log-log")  # NaN when not reached
    return median / rules.DAYS_PER_MONTH


def calibrate(measure, target: float, low: float, high: float) -> float:
    """The parameter in [low, high] whose (increasing) `measure` is closest to `target`, by bisection."""
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if measure(middle) < target else (low, middle)
    return (low + high) / 2


def treatment_end(patient: Patient, rng: np.random.Generator) -> int | None:
    """Last ICI dose: at the progression scan, the last scan beyond progression, or up to 3 years."""
    last_scan = patient.scan_days[-1]
    if patient.progression is not None:
        return last_scan + int(rng.integers(0, 15))
    if durable(patient):
        return min(last_scan, int(rng.integers(540, 1096)))
    return min(last_scan + int(rng.integers(0, 15)), (patient.death_day or last_scan + 15) - 1)


# --- assessments: new lesions and non-target response -------------------------------------------

def set_assessments(patient: Patient, rng: np.random.Generator) -> None:
    """New lesions and non-target response per evaluation, making the planned progression overall."""
    n = patient.course.n_evaluations
    has_non_targets = any(lesion.role == "non_target" for lesion in patient.lesions)
    patient.new_lesions = ["yes" if event == "N" else "no" for event in patient.course.events]
    patient.non_target = ["NON_CR_NON_PD" if has_non_targets else ""] * n
    end = patient.progression
    if end is not None and patient.new_lesions[end] == "no" and not target_progression(patient, end):
        if has_non_targets and rng.random() < 0.5:
            patient.non_target[end] = "PD"
        else:
            patient.new_lesions[end] = "yes"
    complete = [k for k in range(n if end is None else end) if all(t.plan[k] == "C" for t in patient.targets)]
    for k in range(complete[0] if complete else n, n if end is None else end):
        patient.non_target[k] = "CR" if has_non_targets else ""
    for k in range((end if end is not None else n) + 1, n):
        if has_non_targets and rng.random() < 0.5:
            patient.non_target[k] = "PD"


def mark_equivocal(patients: list[Patient], n: int, rng: np.random.Generator) -> None:
    """A few equivocal new lesions before progression (not a progression under RECIST 1.1)."""
    slots = [(p, k) for p in patients for k in range(p.course.n_evaluations if p.progression is None else p.progression)]
    for i in rng.choice(len(slots), size=n, replace=False):
        patient, k = slots[i]
        patient.new_lesions[k] = "equivocal"


# --- prior radiotherapy and biopsies ------------------------------------------------------------

def bucket(lesion: Lesion, named: dict[str, int]) -> str:
    return lesion.group if lesion.group in named else "elsewhere"


def site_error(lesions: list[Lesion], wanted: dict[str, int]) -> int:
    counts = {name: 0 for name in wanted}
    for lesion in lesions:
        counts[bucket(lesion, wanted)] += 1
    return sum((counts[name] - n) ** 2 for name, n in wanted.items())


def improve_subset(strata: list[tuple[list, int]], loss, rng: np.random.Generator, steps: int = 4000) -> list[list]:
    """From each (items, k) stratum, k items whose union minimises `loss`: random swaps kept when
    they do not make it worse."""
    picks = [set(rng.choice(len(items), size=k, replace=False).tolist()) for items, k in strata]

    def selected() -> list[list]:
        return [[items[i] for i in sorted(pick)] for (items, _), pick in zip(strata, picks)]

    best = loss(selected())
    for _ in range(steps):
        s = int(rng.integers(len(strata)))
        items, k = strata[s]
        if 0 < k < len(items):
            swap = {int(rng.choice(sorted(picks[s]))), int(rng.choice(sorted(set(range(len(items))) - picks[s])))}
            picks[s] ^= swap
            value = loss(selected())
            if value <= best:
                best = value
            else:
                picks[s] ^= swap
    return selected()


class TargetIndex:
    """The eligible patients' target lesions in one order, with their plans as arrays."""

    def __init__(self, patients: list[Patient]):
        self.plans = Plans.of([[t.plan for t in p.targets] for p in patients])
        self.position = {id(t): i for i, t in enumerate(t for p in patients for t in p.targets)}

    def mask(self, lesions) -> np.ndarray:
        out = np.zeros(len(self.position), bool)
        out[[self.position[id(t)] for t in lesions]] = True
        return out


def assign_radiotherapy(patients: list[Patient], rng: np.random.Generator) -> None:
    """Prior radiotherapy: 44 patients of the primary, 18 of a metastasis, 17 of them recent
    (their course from 30 days to a week inside recent_radiotherapy_days before inclusion, the
    others' 17 days or more past it); 49 irradiated target lesions (11 recently), fewer of them
    responding, within their patients too."""
    index = TargetIndex(patients)
    primary, metastasis = radiotherapy_groups(patients, rng)
    candidates = [t for p in primary for t in p.targets if t.group in ("head_neck", "lymph_node")]
    candidates += [t for p in metastasis for t in p.targets]
    irradiated = improve_subset([(candidates, sum(IRRADIATED_TLS.values()))],
                                lambda chosen: irradiation_loss(chosen, index), rng)[0]
    for lesion in irradiated:
        lesion.irradiated = True
    recent_primary, recent_metastasis = improve_subset(
        [(primary, RECENT_RT_PATIENTS["primary"]), (metastasis, RECENT_RT_PATIENTS["metastasis"])],
        lambda chosen: recency_loss(chosen[0] + chosen[1], primary + metastasis, index), rng)
    recent = recent_primary + recent_metastasis
    for target, group in (("primary", primary), ("metastasis", metastasis)):
        for patient in group:
            day = -int(rng.integers(30, rules.RECENT_RADIOTHERAPY_DAYS - 7)) if patient in recent \
                else -int(rng.integers(rules.RECENT_RADIOTHERAPY_DAYS + 17, 2500))
            lesions = [t.lesion_id for t in patient.targets if t.irradiated] or [""]
            patient.procedures += [("radiotherapy", day, lesion_id, target) for lesion_id in lesions]


def radiotherapy_groups(patients: list[Patient], rng: np.random.Generator) -> tuple[list[Patient], list[Patient]]:
    """Patients irradiated on the primary (head and neck first) and on a metastasis."""
    def primary_score(p: Patient) -> float:
        groups = {t.group for t in p.targets}
        return 3 * (p.primary == "Head and neck") + 3 * ("head_neck" in groups) + \
            ("lymph_node" in groups) + 2 * (p.primary in ("Cervical", "Lung")) + rng.random()
    ranked = sorted(patients, key=primary_score, reverse=True)
    primary = ranked[:RT_PATIENTS["primary"]]
    rest = [p for p in patients if p not in primary]
    metastasis = [rest[i] for i in sorted(rng.choice(len(rest), RT_PATIENTS["metastasis"], replace=False))]
    return primary, metastasis


def irradiation_loss(chosen: list[list[Lesion]], index: TargetIndex) -> float:
    lesions = chosen[0]
    responders = sum(lesion.responding for lesion in lesions)
    irradiated = index.mask(lesions)
    return site_error(lesions, IRRADIATED_TLS) + 4 * (responders - round(0.2 * len(lesions))) ** 2 \
        + factor_loss(index.plans, "irradiated", irradiated, ~irradiated)


def recency_loss(recent: list[Patient], irradiated_patients: list[Patient], index: TargetIndex) -> float:
    recent_tls = [t for p in recent for t in p.targets if t.irradiated]
    remote_tls = [t for p in irradiated_patients if p not in recent for t in p.targets if t.irradiated]
    never = ~index.mask(recent_tls + remote_tls)
    return 10 * (len(recent_tls) - RECENT_IRRADIATED_TLS) ** 2 \
        + factor_loss(index.plans, "recent", index.mask(recent_tls), never, dr=False) \
        + factor_loss(index.plans, "remote", index.mask(remote_tls), never, dr=False)


def assign_biopsies(patients: list[Patient], rng: np.random.Generator) -> None:
    """42 biopsied target lesions, responding more often; never the progressing lesion of a DR1."""
    index = TargetIndex(patients)
    irradiated = index.mask(t for p in patients for t in p.targets if t.irradiated)
    candidates = [t for p in patients for t in p.targets if not (dissociated_r1(p) and "D" in t.plan)]
    def loss(chosen: list[list[Lesion]]) -> float:
        biopsied = index.mask(chosen[0])
        return site_error(chosen[0], BIOPSIED_TLS) + factor_loss(index.plans, "biopsied", biopsied, ~biopsied) \
            + adjusted_irradiated_loss(index.plans, irradiated, biopsied)
    for lesion in improve_subset([(candidates, sum(BIOPSIED_TLS.values()))], loss, rng)[0]:
        lesion.biopsied = True
    for patient in patients:
        patient.procedures += [("biopsy", -int(rng.integers(10, 900)), t.lesion_id, "")
                               for t in patient.targets if t.biopsied]


def dissociated_r1(patient: Patient) -> bool:
    """Some evaluation has a progressing and a responding target lesion."""
    columns = zip(*(t.plan for t in patient.targets))
    return any("D" in column and ("C" in column or "P" in column) for column in columns)


# --- patients who are not analysable ------------------------------------------------------------

def ineligible_patients(rng: np.random.Generator) -> list[Patient]:
    """The 169 patients the flow chart excludes, each built so the pipeline finds its reason."""
    patients = []
    for reason, n in EXCLUSIONS.items():
        for primary in attributes.draw_primaries(n, rng):
            patients.append(ineligible_patient(str(primary), reason, rng))
    return patients


def ineligible_patient(primary: str, reason: str, rng: np.random.Generator) -> Patient:
    course = pick_course(reason, rng)
    patient = Patient(primary, "" if reason in DERIVED_REASONS else reason, course)
    patient.sex = "M" if rng.random() < attributes.MALE_SHARE else "F"
    patient.age = int(attributes.draw_ages(1, rng)[0])
    patient.prior_lines = int(attributes.draw_prior_lines(1, rng)[0])
    patient.regimen = str(attributes.draw_regimens(1, rng)[0])
    patient.months_to_ici = int(attributes.draw_months_to_ici(1, rng)[0])
    n_targets = len(course.plans) if course else int(rng.integers(2, 5))
    if reason == "screening_failure" and rng.random() < 0.15:
        n_targets = 0
    pools = {flag: {group: 10**6 for group in attributes.SITE_GROUPS} for flag in (True, False)}
    sham = Patient(primary, "", Course(1, course.plans if course else ("S",) * n_targets, ""))
    capacity = dict(OTHER_LOCATIONS)
    for k, group in enumerate(draw_groups(sham, pools, rng)):
        lesion = patient.add_lesion("target", group, site_text(patient, group, capacity, rng))
        lesion.plan = course.plans[k] if course else ""
    for _ in range(int(rng.integers(0, 4))):
        location = list(LOCATIONS)[int(rng.choice(len(LOCATIONS), p=location_weights()))]
        add_non_target(patient, location, rng)
    follow_ineligible(patient, rng)
    return patient


def pick_course(reason: str, rng: np.random.Generator) -> Course | None:
    """A course like the eligible patients' (one target only for a single-target patient);
    none for patients never scanned after baseline."""
    if reason in ("screening_failure", "no_follow_up_assessment"):
        return None
    weights = np.array([course.n_patients for course in COURSES], dtype=float)
    course = COURSES[int(rng.choice(len(COURSES), p=weights / weights.sum()))]
    return course._replace(plans=course.plans[:1]) if reason == "fewer_than_two_target_lesions" else course


def location_weights() -> np.ndarray:
    weights = np.array(list(LOCATIONS.values()), dtype=float)
    return weights / weights.sum()


def follow_ineligible(patient: Patient, rng: np.random.Generator) -> None:
    """Diameters, scans and outcome of an excluded patient (no calibration needed)."""
    course = patient.course
    for lesion in patient.targets:
        lesion.baseline = draw_baseline(lesion.group, lesion.node, rng)
    if course:
        realise_diameters(patient, rng, check_sums=len(course.plans) > 1)
    patient.scan_days = schedule_scans(course.n_evaluations if course else 0, rng)
    if not patient.targets:
        patient.scan_days = []
    patient.inclusion = FIRST_INCLUSION + timedelta(days=int(rng.integers(0, (LAST_INCLUSION - FIRST_INCLUSION).days)))
    last = patient.scan_days[-1] if patient.scan_days else 0
    death = last + int(rng.lognormal(math.log(150), 1.0)) + 10
    alive = death > (CUTOFF - patient.inclusion).days
    patient.death_day = None if alive else death
    patient.last_contact_day = (CUTOFF - patient.inclusion).days - 10 if alive else death
    treated = patient.exclusion != "screening_failure"
    patient.treatment_end_day = last + int(rng.integers(0, 15)) if treated and course else (
        int(rng.integers(14, 43)) if treated else None)
    if course:
        set_assessments(patient, rng)


# --- the whole cohort ---------------------------------------------------------------------------

def build_demo_cohort(seed: int = DEMO_SEED) -> list[Patient]:
    """All 269 screened patients, in inclusion order, with their identifiers."""
    rng = np.random.default_rng(seed)
    eligible = eligible_patients(rng)
    for patient in eligible:
        realise_diameters(patient, rng)
    add_non_target_lesions(eligible, rng)
    set_follow_up(eligible, rng)
    for patient in eligible:
        set_assessments(patient, rng)
    mark_equivocal([p for p in eligible if p.course.stable_best], 3, rng)
    assign_radiotherapy(eligible, rng)
    assign_biopsies(eligible, rng)
    patients = eligible + ineligible_patients(rng)
    assign_identifiers(patients, rng)
    return patients


def assign_identifiers(patients: list[Patient], rng: np.random.Generator) -> None:
    """Patient ids in inclusion order; 19 trials, each with at least one patient."""
    order = sorted(range(len(patients)), key=lambda i: (patients[i].inclusion, rng.random()))
    trials = list(range(attributes.N_TRIALS)) + list(rng.choice(
        attributes.N_TRIALS, len(patients) - attributes.N_TRIALS, p=rng.dirichlet(np.full(attributes.N_TRIALS, 3.0))))
    for rank, i in enumerate(order):
        patients[i].patient_id = f"P{rank + 1:04d}"
    for i, trial in zip(rng.permutation(len(patients)), trials):
        patients[i].study_id = f"TRIAL{int(trial) + 1:02d}"


# --- the six CSV files --------------------------------------------------------------------------

def millimetres(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def day(patient: Patient, offset: int | None) -> str:
    return "" if offset is None else (patient.inclusion + timedelta(days=offset)).isoformat()


def patient_row(p: Patient) -> tuple:
    diagnosis = -round(p.months_to_ici * rules.DAYS_PER_MONTH)
    return (p.patient_id, p.study_id, p.sex, p.age, p.primary, p.prior_lines, p.regimen, day(p, diagnosis),
            p.inclusion.isoformat(), day(p, p.treatment_end_day), day(p, p.last_contact_day),
            day(p, p.death_day), p.exclusion)


def measurement_rows(p: Patient):
    for lesion in p.targets:
        for scan, value in zip(p.scan_days, [lesion.baseline, *lesion.values]):
            absent = value == 0 and not lesion.node
            yield (p.patient_id, lesion.lesion_id, day(p, scan), "" if absent else millimetres(value),
                   "absent" if absent else "")


def with_second_reader(rows: list[tuple]) -> list[tuple]:
    """R1's readings as they are, then R2's: the same scans, each diameter times
    exp(sigma z), sigma = sqrt(ln(1 + cv^2)), in whole hundredths of a mm (0 stays 0; the
    statuses are kept)."""
    rng = np.random.default_rng(SECOND_READER_SEED)
    sigma = math.sqrt(math.log1p(SECOND_READER_CV ** 2))
    errors = np.exp(sigma * rng.standard_normal(len(rows)))
    second = [(*row[:3], "" if row[3] == "" else millimetres(round(hundredths(row[3]) * error)), row[4], "R2")
              for row, error in zip(rows, errors)]
    return [(*row, "R1") for row in rows] + second


def hundredths(text: str) -> int:
    whole, decimals = text.split(".")
    return int(whole) * 100 + int(decimals)


def new_lesion_rows(patients: list[Patient]) -> list[tuple]:
    """new_lesions.csv: lesions N1, N2... of a patient at each evaluation whose new lesions
    are `yes`, and only there. A pseudo-progression (the next evaluation is no progression)
    has one small transient lesion; a progression 1-3 lesions, each with a first value drawn
    as the generator draws it (measurable or not), a non-measurable one now and then without
    a diameter. Sites from the generator's."""
    rng = np.random.default_rng(NEW_LESION_SEED)
    rows = []
    for p in sorted(patients, key=lambda p: p.patient_id):
        lesion_ids = (f"N{n}" for n in range(1, 100))
        for k in (k for k, new in enumerate(p.new_lesions) if new == "yes"):
            for value in new_lesion_values(p, k, rng):
                site = generator.NEW_LESION_SITES[rng.integers(len(generator.NEW_LESION_SITES))]
                rows.append((p.patient_id, next(lesion_ids), day(p, p.scan_days[k + 1]), str(site),
                             "" if value is None else millimetres(value), ""))
    return rows


def new_lesion_values(patient: Patient, k: int, rng: np.random.Generator) -> list[int | None]:
    """The first values (hundredths of a mm; None: not measured) of the new lesions that
    appear at evaluation k."""
    if pseudo_progression(patient, k):
        return [int(rng.integers(*TRANSIENT_NEW_HUNDREDTHS))]
    values = [generator.new_lesion_first_value(rng)
              for _ in range(1 + rng.choice(len(NEW_LESION_COUNT_WEIGHTS), p=NEW_LESION_COUNT_WEIGHTS))]
    return [None if value < rules.NEW_LESION_MIN and rng.random() < P_NEW_NOT_MEASURED else value
            for value in values]


def pseudo_progression(patient: Patient, k: int) -> bool:
    """New lesions at evaluation k and no progression at the next one: no new lesions, no
    non-target PD, no target-sum progression there."""
    following = k + 1
    return (following < len(patient.new_lesions) and patient.new_lesions[following] != "yes"
            and patient.non_target[following] != "PD" and not target_progression(patient, following))


def cohort_tables(patients: list[Patient]) -> dict[str, tuple[tuple, list[tuple]]]:
    """The six input files as (header, rows), rows sorted by their keys. Each header is the
    contract's (input_contract), in full but for assessments.csv: no non_target_increase
    (the demo draws none) and no reader (an assessment applies to both readers), and
    new_lesions.csv: no reader either (a new lesion is both readers')."""
    ordered = sorted(patients, key=lambda p: p.patient_id)
    return {
        "patients.csv": (input_contract.columns("patients"), [patient_row(p) for p in ordered]),
        "lesions.csv": (input_contract.columns("lesions"),
                        [(p.patient_id, lesion.lesion_id, lesion.role, lesion.site, "") for p in ordered for lesion in p.lesions]),
        "measurements.csv": (input_contract.columns("measurements"),
                             with_second_reader(sorted(row for p in ordered for row in measurement_rows(p)))),
        "assessments.csv": (input_contract.columns("assessments", leave_out=("non_target_increase", "reader")),
                            [(p.patient_id, day(p, scan), new, nt) for p in ordered
                             for scan, new, nt in zip(p.scan_days[1:], p.new_lesions, p.non_target)]),
        "procedures.csv": (input_contract.columns("procedures"),
                           sorted((p.patient_id, kind, day(p, when), lesion_id, target)
                                  for p in ordered for kind, when, lesion_id, target in p.procedures)),
        "new_lesions.csv": (input_contract.columns("new_lesions", leave_out=("reader",)), new_lesion_rows(ordered)),
    }
