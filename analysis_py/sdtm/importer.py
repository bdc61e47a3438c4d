"""CDISC SDTM (DM, DS, TU, TR, RS) to the data contract's input folder: `lesionwise import-sdtm`.

The mapping is stated in docs/sdtm-mapping.md; each of its rules is one function here.
Everything is read as text; what cannot be mapped, and every imputed date, becomes a row
of `import_issues.csv` (same columns as the pipeline's `data_issues`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis_py import input_contract
from analysis_py.errors import UserError

EVALUATORS = ("investigator", "independent", "all")
REQUIRED_DOMAINS = ("DM", "TU", "TR")
OPTIONAL_DOMAINS = ("DS", "RS")
FILE_ENDINGS = (".csv", ".csv.gz", ".xpt")
MISSING_TEXT = ("", "NA")  # R writes NA for a missing value

# The contract's columns (input_contract) each file leaves out: not mapped from SDTM
# (docs/sdtm-mapping.md), or the reader's, which `--evaluator all` adds. In the order written.
NOT_MAPPED = {
    "patients": ("primary_tumor", "prior_lines", "regimen", "metastatic_diagnosis_date", "treatment_end_date"),
    "lesions": ("lymph_node",),
    "measurements": ("reader",),
    "assessments": ("non_target_increase", "reader"),
    "procedures": (),
    "new_lesions": ("reader",),
    "recorded_responses": (),
    "import_issues": (),
}
EXTRA_COLUMN = ("patients", "arm", "age")  # DM's ARM in patients.csv after age; the build ignores it


def output_columns(file: str) -> list[str]:
    """The columns the import writes to `<file>.csv`: the contract's, but NOT_MAPPED, plus
    EXTRA_COLUMN."""
    columns = list(input_contract.columns(file, leave_out=NOT_MAPPED[file]))
    extra_file, extra, after = EXTRA_COLUMN
    if file == extra_file:
        columns.insert(columns.index(after) + 1, extra)
    return columns


OUTPUT_COLUMNS = {file: output_columns(file) for file in NOT_MAPPED}
ISSUE_COLUMNS = OUTPUT_COLUMNS["import_issues"]
RECORDED_COLUMNS = OUTPUT_COLUMNS["recorded_responses"]

# Codes: SDTM standard result (CDISC CT) -> contract code.
SDTM_TERMS = {"target": "TARGET", "non_target": "NON-TARGET", "NON_CR_NON_PD": "NON-CR/NON-PD",
              "NON_iCR_NON_iUPD": "NON-iCR/NON-iUPD"}  # where they differ


def from_sdtm(code_list: str) -> dict[str, str]:
    """SDTM term in upper case -> code, for every code of the contract's list `code_list`."""
    return {SDTM_TERMS.get(code, code).upper(): code for code in input_contract.codes(code_list)}


LESION_ROLES = from_sdtm("role")
NEW_LESION_STATES = {"UNEQUIVOCAL": "yes", "EQUIVOCAL": "equivocal", "ABSENT": "no"}
NON_TARGET_STATES = ("ABSENT", "PRESENT", "EQUIVOCAL", "UNEQUIVOCAL")
RECORDED_TESTS = {  # RSTESTCD -> (column, accepted codes)
    "TRGRESP": ("target_response", from_sdtm("response")),
    "NTRGRESP": ("non_target_response", from_sdtm("non_target_response")),
    "NEWLPROG": ("new_lesions", {"UNEQUIVOCAL": "yes", "EQUIVOCAL": "equivocal",
                                 "Y": "yes", "N": "no"}),
    "OVRLRESP": ("overall_response", from_sdtm("recorded_overall_response")),
}
IRECIST_CATEGORY = "IRECIST"  # an RS record whose RSCAT holds this (any case) is an iRECIST one
IRECIST_TESTS = {  # of an iRECIST record: only the overall response is imported
    "OVRLRESP": ("irecist_overall_response", from_sdtm("recorded_irecist_response")),
}
DIAMETER_TEST, LONGEST_TEST, SHORT_AXIS_TEST, SUM_TEST = "DIAMETER", "LDIAM", "LPERP", "SUMDIAM"
STATE_TEST = "TUMSTATE"
NODE_GROUP = "lymph_node"  # the site group (input_contract.site_group) measured by its short axis
FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")
MONTH_DATE = re.compile(r"^\d{4}-\d{2}$")
DM_DATE_COLUMNS = ("RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFICDTC", "RFPENDTC",
                   "DTHDTC", "DMDTC")
MAX_DECIMALS = Decimal("0.01")  # the contract's diameter precision


@dataclass
class SdtmImport:
    """The contract's input tables and the two extra files, all as text DataFrames."""
    patients: pd.DataFrame
    lesions: pd.DataFrame
    measurements: pd.DataFrame
    assessments: pd.DataFrame
    procedures: pd.DataFrame
    new_lesions: pd.DataFrame
    recorded_responses: pd.DataFrame
    import_issues: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Row counts of every table, the tumour-result subjects and the evaluations."""
        out = {f.name: len(getattr(self, f.name)) for f in fields(self)}
        out["subjects_with_tumour_results"] = self.measurements["patient_id"].nunique()
        keys = ["patient_id", "assessment_date"]
        out["evaluations"] = len(pd.concat([self.measurements[keys], self.assessments[keys]])
                                 .drop_duplicates())
        return out


# --- reading -------------------------------------------------------------------------

def find_domain_files(folder: Path, suffix: str = "") -> dict[str, Path]:
    """Each domain's file in `folder`: `<dom><suffix>.<ending>`, else `<dom>.<ending>`."""
    if not folder.is_dir():
        raise UserError(f"SDTM folder {folder} does not exist: pass --sdtm <folder>")
    by_name = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found: dict[str, Path] = {}
    for domain in REQUIRED_DOMAINS + OPTIONAL_DOMAINS:
        stems = [domain.lower() + suffix.lower(), domain.lower()] if suffix else [domain.lower()]
        names = [stem + ending for stem in stems for ending in FILE_ENDINGS]
        match = next((by_name[n] for n in names if n in by_name), None)
        if match is not None:
            found[domain] = match
        elif domain in REQUIRED_DOMAINS:
            others = sorted(n for n in by_name if n.startswith(domain.lower() + "_"))
            hint = f"; found {', '.join(others)}: pass --suffix" if others else ""
            raise UserError(f"no {domain} file ({names[0]}) in {folder}{hint}")
    return found


def read_domain(path: Path) -> pd.DataFrame:
    """One SDTM dataset (CSV, gzipped CSV or SAS XPORT) as text, upper-case column names."""
    try:
        if path.name.lower().endswith(".xpt"):
            frame = pd.read_sas(path, format="xport", encoding="utf-8")
            frame = frame.apply(lambda col: col.map(_xpt_text))
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {path}: {error}") from error
    frame.columns = [c.strip().upper() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    frame = frame.mask(frame.isin(MISSING_TEXT), "")
    frame.attrs["file"] = path.name
    return frame


def _xpt_text(value: object) -> str:
    """An XPORT cell as the text a CSV export would hold (3.0 -> '3', NaN -> '')."""
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.15g}"
    return "" if value is None else str(value)


def read_sdtm(folder: Path, suffix: str = "") -> dict[str, pd.DataFrame]:
    """The domains of an SDTM folder, keyed DM, DS, TU, TR, RS (DS and RS optional)."""
    domains = {dom: read_domain(path) for dom, path in find_domain_files(folder, suffix).items()}
    for dom, needed in {"DM": ["USUBJID"], "TU": ["USUBJID", "TULNKID", "TUSTRESC"],
                        "TR": ["USUBJID", "TRGRPID", "TRTESTCD", "TRDTC"],
                        "DS": ["USUBJID", "DSDECOD"],
                        "RS": ["USUBJID", "RSTESTCD", "RSSTRESC", "RSDTC"]}.items():
        if dom in domains:
            missing = [c for c in needed if c not in domains[dom].columns]
            if missing:
                raise UserError(f"{domains[dom].attrs['file']} lacks column(s) {', '.join(missing)}")
    return domains


# --- helpers ---------------------------------------------------------------------------

class Issues:
    """Collects `import_issues` rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(self, source_file: str, patient_id: str, rule: str, message: str,
            lesion_id: str = "", assessment_date: str = "") -> None:
        self.rows.append(dict(source_file=source_file, patient_id=patient_id, lesion_id=lesion_id,
                              assessment_date=assessment_date, rule=rule, message=message))

    def frame(self) -> pd.DataFrame:
        return (pd.DataFrame(self.rows, columns=ISSUE_COLUMNS)
                .sort_values(ISSUE_COLUMNS, kind="stable").reset_index(drop=True))


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or empty text where the dataset lacks it."""
    return frame[name] if name in frame.columns else pd.Series("", index=frame.index)


def full_date(value: str) -> str | None:
    """The `YYYY-MM-DD` part of a full ISO 8601 date or date-time; None if partial or bad."""
    match = FULL_DATE.match(value)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def visit_key(visitnum: str) -> str:
    """VISITNUM as one key whether written `3`, `3.0` or `3.00`."""
    try:
        return f"{float(visitnum):g}"
    except ValueError:
        return visitnum


def select_evaluator(frame: pd.DataFrame, prefix: str, evaluator: str) -> pd.DataFrame:
    """The records of one evaluator: `INVESTIGATOR`, or the accepted independent assessor.

    A dataset without an evaluator column (or with it empty throughout) has one evaluator:
    all its rows are taken.
    """
    who = column(frame, prefix + "EVAL").str.upper()
    if (who == "").all():
        return frame
    if evaluator == "investigator":
        return frame[who == "INVESTIGATOR"]
    accepted = column(frame, prefix + "ACPTFL").str.upper() == "Y"
    return frame[(who == "INDEPENDENT ASSESSOR") & accepted]


def visit_dates(domains: dict[str, pd.DataFrame]) -> dict[tuple[str, str], list[str]]:
    """Full dates recorded at each (subject, VISITNUM) in TU, TR and RS, any evaluator."""
    parts = []
    for dom, prefix in (("TU", "TU"), ("TR", "TR"), ("RS", "RS")):
        if dom in domains and prefix + "DTC" in domains[dom].columns:
            frame = domains[dom]
            parts.append(pd.DataFrame({"subject": frame["USUBJID"],
                                       "visit": column(frame, "VISITNUM").map(visit_key),
                                       "raw": frame[prefix + "DTC"]}).drop_duplicates())
    found: dict[tuple[str, str], set[str]] = {}
    for subject, visit, raw in pd.concat(parts).drop_duplicates().itertuples(index=False):
        full = full_date(raw)
        if full and visit:
            found.setdefault((subject, visit), set()).add(full)
    return {key: sorted(values) for key, values in found.items()}


def resolve_dates(frame: pd.DataFrame, date_col: str, dates: dict[tuple[str, str], list[str]],
                  issues: Issues) -> pd.Series:
    """ISO dates of `frame[date_col]`; a partial date is imputed and reported once per visit.

    A partial date takes the full date of another record of the same subject's visit that
    falls within it (the earliest, if several), else (`YYYY-MM`) the first of the month.
    A date that cannot be completed is kept as written (the build reports it).
    """
    file = frame.attrs.get("file", "")
    subjects, visits = frame["USUBJID"], column(frame, "VISITNUM").map(visit_key)
    resolved: dict[tuple[str, str, str], str] = {}
    for key in set(zip(subjects, visits, frame[date_col])):
        subject, visit, raw = key
        full = full_date(raw)
        if full is not None:
            resolved[key] = full
            continue
        same_visit = [d for d in dates.get((subject, visit), []) if raw and d.startswith(raw)]
        if same_visit:
            resolved[key] = same_visit[0]
            issues.add(file, subject, "sdtm_date_imputed",
                       f"{date_col} {raw} at VISITNUM {visit} taken as {same_visit[0]}, "
                       "the date of another record of that visit", assessment_date=same_visit[0])
        elif MONTH_DATE.match(raw) and full_date(raw + "-01"):
            resolved[key] = raw + "-01"
            issues.add(file, subject, "sdtm_date_imputed",
                       f"{date_col} {raw} at VISITNUM {visit} taken as the first of the month "
                       "(no full date recorded at that visit)", assessment_date=raw + "-01")
        else:
            resolved[key] = raw
            issues.add(file, subject, "sdtm_date_unparseable",
                       f"{date_col} '{raw}' at VISITNUM {visit} is not a date that can be "
                       "completed; kept as written")
    return pd.Series([resolved[k] for k in zip(subjects, visits, frame[date_col])],
                     index=frame.index, dtype=object)


def resolve_subject_date(value: str, file: str, subject: str, column_name: str,
                         issues: Issues) -> str:
    """A date without a visit (DM): full as is, `YYYY-MM` the first of the month (reported)."""
    if value == "" or full_date(value):
        return full_date(value) or ""
    if MONTH_DATE.match(value) and full_date(value + "-01"):
        issues.add(file, subject, "sdtm_date_imputed",
                   f"{column_name} {value} taken as the first of the month")
        return value + "-01"
    issues.add(file, subject, "sdtm_date_unparseable",
               f"{column_name} '{value}' is not a date that can be completed; left empty")
    return ""


def diameter_text(value: str) -> tuple[str, bool]:
    """A diameter as decimal text with at most 2 decimals; True if it had to be rounded."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value, False  # the build reports a number that does not parse
    rounded = number.quantize(MAX_DECIMALS, rounding=ROUND_HALF_UP)
    if rounded != number:
        return format(rounded, "f"), True
    return format(number.normalize() if number == number.to_integral() else number, "f"), False


# --- the mapping -----------------------------------------------------------------------

def map_patients(domains: dict[str, pd.DataFrame], issues: Issues) -> pd.DataFrame:
    """One patient per DM row (docs/sdtm-mapping.md: patients)."""
    dm = domains["DM"]
    file = dm.attrs.get("file", "DM")
    screen_failures: set[str] = set()
    if "DS" in domains:
        ds = domains["DS"]
        screen_failures = set(ds.loc[ds["DSDECOD"].str.upper() == "SCREEN FAILURE", "USUBJID"])
    last_contact = latest_full_dates(domains)
    rows = []
    for record in dm.to_dict("records"):
        subject = record["USUBJID"]
        start_column = "RFXSTDTC" if record.get("RFXSTDTC", "") else "RFSTDTC"
        inclusion = resolve_subject_date(record.get(start_column, ""), file, subject,
                                         start_column, issues)
        excluded = "screening_failure" if subject in screen_failures else ""
        if not inclusion and not excluded:
            issues.add(file, subject, "sdtm_inclusion_date_missing",
                       "neither RFXSTDTC nor RFSTDTC holds a date")
        sex = record.get("SEX", "").upper()
        if sex not in ("", *input_contract.codes("sex")):
            issues.add(file, subject, "sdtm_code_unmapped",
                       f"SEX '{sex}' is not {' or '.join(input_contract.codes('sex'))}; left empty")
            sex = ""
        rows.append(dict(
            patient_id=subject, study_id=record.get("STUDYID", ""), sex=sex,
            age=age_text(record.get("AGE", ""), file, subject, issues), arm=record.get("ARM", ""),
            inclusion_date=inclusion, last_contact_date=last_contact.get(subject, ""),
            death_date=resolve_subject_date(record.get("DTHDTC", ""), file, subject, "DTHDTC",
                                            issues),
            exclusion_reason=excluded))
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS["patients"])


def age_text(value: str, file: str, subject: str, issues: Issues) -> str:
    """AGE as a whole number of years (`63.0` -> `63`)."""
    if value == "":
        return ""
    try:
        return str(int(Decimal(value)))
    except (InvalidOperation, ValueError):
        issues.add(file, subject, "sdtm_code_unmapped", f"AGE '{value}' is not a number; left empty")
        return ""


def latest_full_dates(domains: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each subject's latest full date in DM, DS, TR and RS (partial dates do not count)."""
    columns = {"DM": DM_DATE_COLUMNS, "DS": ("DSDTC", "DSSTDTC"), "TR": ("TRDTC",),
               "RS": ("RSDTC",)}
    parts = []
    for dom, names in columns.items():
        if dom in domains:
            frame = domains[dom]
            for name in names:
                if name in frame.columns:
                    parts.append(frame[["USUBJID", name]].set_axis(["subject", "raw"], axis=1))
    values = pd.concat(parts).drop_duplicates()
    values["date"] = values["raw"].map(full_date)
    return values.dropna(subset=["date"]).groupby("subject")["date"].max().to_dict()


def map_lesions(tu: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """TU rows TARGET / NON-TARGET of the chosen evaluator (docs/sdtm-mapping.md: lesions)."""
    file = tu.attrs.get("file", "TU")
    code = tu["TUSTRESC"].str.upper()
    for record in tu[~code.isin([*LESION_ROLES, "NEW"])].to_dict("records"):
        issues.add(file, record["USUBJID"], "sdtm_code_unmapped",
                   f"TUSTRESC '{record['TUSTRESC']}' is not {', '.join(LESION_ROLES)} or NEW; "
                   "lesion not imported", lesion_id=record["TULNKID"])
    kept = tu[code.isin(LESION_ROLES)]
    lesions = pd.DataFrame({"patient_id": kept["USUBJID"], "lesion_id": kept["TULNKID"],
                            "role": code[kept.index].map(LESION_ROLES),
                            "site": column(kept, "TULOC")})
    return (lesions.drop_duplicates().sort_values(["patient_id", "lesion_id"], kind="stable")
            .reset_index(drop=True))


def map_measurements(tr: pd.DataFrame, lesions: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """TR target rows, one reading per lesion and date (docs/sdtm-mapping.md: measurements).

    DIAMETER where recorded, else LPERP for a lymph node (a site the contract's site keywords
    group as lymph_node), else LDIAM; SUMDIAM is a derived sum the pipeline recomputes, so it is not imported.
    """
    file = tr.attrs.get("file", "TR")
    rows = tr[(tr["TRGRPID"].str.upper() == "TARGET") & (tr["TRTESTCD"].str.upper() != SUM_TEST)].copy()
    test = rows["TRTESTCD"].str.upper()
    for record in rows[~test.isin([DIAMETER_TEST, LONGEST_TEST, SHORT_AXIS_TEST])].to_dict("records"):
        issues.add(file, record["USUBJID"], "sdtm_code_unmapped",
                   f"TRTESTCD '{record['TRTESTCD']}' of a target lesion is not "
                   f"{DIAMETER_TEST}, {LONGEST_TEST} or {SHORT_AXIS_TEST}; not imported",
                   lesion_id=record["TRLNKID"], assessment_date=record["assessment_date"])
    is_node_site = lesions["site"].map(lambda site: input_contract.site_group(site) == NODE_GROUP).astype(bool)
    nodes = set(lesions.loc[is_node_site, ["patient_id", "lesion_id"]]
                .itertuples(index=False, name=None))
    is_node = pd.Series([k in nodes for k in zip(rows["USUBJID"], rows["TRLNKID"])],
                        index=rows.index, dtype=bool)
    rows["rank"] = (test.map({DIAMETER_TEST: 0})
                    .fillna(test.where(is_node).map({SHORT_AXIS_TEST: 1}))
                    .fillna(test.where(~is_node).map({LONGEST_TEST: 1})))
    key = ["USUBJID", "TRLNKID", "assessment_date"]
    unusable = rows[rows.groupby(key)["rank"].transform("count") == 0]
    for (subject, lesion, day), group in unusable.groupby(key):
        wanted = SHORT_AXIS_TEST if (subject, lesion) in nodes else LONGEST_TEST
        issues.add(file, subject, "sdtm_measurement_unmapped",
                   f"no {DIAMETER_TEST} or {wanted} reading "
                   f"({', '.join(sorted(set(group['TRTESTCD'])))} only); not imported",
                   lesion_id=lesion, assessment_date=day)
    chosen = rows.dropna(subset=["rank"])
    chosen = chosen[chosen["rank"] == chosen.groupby(key)["rank"].transform("min")]
    out = []
    for record in chosen.to_dict("records"):
        value = record.get("TRSTRESN", "") or record.get("TRSTRESC", "")
        status = ""
        if record.get("TRSTAT", "").upper() == "NOT DONE":
            value, status = "", "not_evaluable"
        elif value == "":
            status = "not_evaluable"
            issues.add(file, record["USUBJID"], "sdtm_value_missing",
                       f"{record['TRTESTCD']} has no result and no TRSTAT NOT DONE; "
                       "imported as not_evaluable",
                       lesion_id=record["TRLNKID"], assessment_date=record["assessment_date"])
        else:
            value, rounded = diameter_text(value)
            if rounded:
                issues.add(file, record["USUBJID"], "sdtm_value_rounded",
                           f"{record['TRTESTCD']} {record.get('TRSTRESN') or record['TRSTRESC']} "
                           f"rounded to {value} mm (2 decimals)",
                           lesion_id=record["TRLNKID"], assessment_date=record["assessment_date"])
        out.append(dict(patient_id=record["USUBJID"], lesion_id=record["TRLNKID"],
                        assessment_date=record["assessment_date"], diameter_mm=value,
                        status=status))
    return (pd.DataFrame(out, columns=OUTPUT_COLUMNS["measurements"])
            .sort_values(["patient_id", "lesion_id", "assessment_date"], kind="stable")
            .reset_index(drop=True))


def map_assessments(tr: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """New lesions and non-target response per subject and date (docs/sdtm-mapping.md)."""
    file = tr.attrs.get("file", "TR")
    group = tr["TRGRPID"].str.upper()
    for record in tr[~group.isin(["TARGET", "NON-TARGET", "NEW"])].to_dict("records"):
        issues.add(file, record["USUBJID"], "sdtm_code_unmapped",
                   f"TRGRPID '{record['TRGRPID']}' is not TARGET, NON-TARGET or NEW; not imported",
                   lesion_id=record.get("TRLNKID", ""), assessment_date=record["assessment_date"])
    states = tr[group.isin(["NON-TARGET", "NEW"])]
    for record in states[states["TRTESTCD"].str.upper() != STATE_TEST].to_dict("records"):
        issues.add(file, record["USUBJID"], "sdtm_code_unmapped",
                   f"TRTESTCD '{record['TRTESTCD']}' of a {record['TRGRPID']} lesion is not "
                   f"{STATE_TEST}; not imported",
                   lesion_id=record.get("TRLNKID", ""), assessment_date=record["assessment_date"])
    states = states[states["TRTESTCD"].str.upper() == STATE_TEST]
    value = states["TRSTRESC"].str.upper()
    not_done = (column(states, "TRSTAT").str.upper() == "NOT DONE") | (value == "")
    is_new = states["TRGRPID"].str.upper() == "NEW"
    known = (is_new & value.isin(NEW_LESION_STATES)) | (~is_new & value.isin(NON_TARGET_STATES))
    for record in states[~known & ~not_done].to_dict("records"):
        issues.add(file, record["USUBJID"], "sdtm_code_unmapped",
                   f"TUMSTATE '{record['TRSTRESC']}' of a {record['TRGRPID']} lesion is not a "
                   "known state; counted as not assessed",
                   lesion_id=record.get("TRLNKID", ""), assessment_date=record["assessment_date"])
    frame = pd.DataFrame({"patient_id": states["USUBJID"], "assessment_date": states["assessment_date"],
                          "is_new": is_new, "value": value.where(known & ~not_done, "NOT DONE")})
    out = []
    for (subject, day), visit in frame.groupby(["patient_id", "assessment_date"]):
        new, old = visit.loc[visit["is_new"], "value"], visit.loc[~visit["is_new"], "value"]
        out.append(dict(patient_id=subject, assessment_date=day,
                        new_lesions=new_lesion_code(new), non_target_response=non_target_code(old)))
    return pd.DataFrame(out, columns=OUTPUT_COLUMNS["assessments"])


def map_new_lesions(tr: pd.DataFrame, tu: pd.DataFrame) -> pd.DataFrame:
    """One row per NEW lesion and date where TR shows it: TUMSTATE UNEQUIVOCAL or a diameter
    (DIAMETER, else LDIAM / LPERP), with its TU site and its value where measured
    (docs/sdtm-mapping.md: new lesions). Equivocal or absent states give no row."""
    rows = tr[tr["TRGRPID"].str.upper() == "NEW"]
    test = rows["TRTESTCD"].str.upper()
    value = column(rows, "TRSTRESN").where(column(rows, "TRSTRESN") != "", column(rows, "TRSTRESC"))
    present = (test == STATE_TEST) & (rows["TRSTRESC"].str.upper() == "UNEQUIVOCAL")
    measured = test.isin([DIAMETER_TEST, LONGEST_TEST, SHORT_AXIS_TEST]) & (value != "")
    frame = pd.DataFrame({"patient_id": rows["USUBJID"], "lesion_id": rows["TRLNKID"],
                          "assessment_date": rows["assessment_date"],
                          "rank": test.map({DIAMETER_TEST: 0, LONGEST_TEST: 1, SHORT_AXIS_TEST: 1}),
                          "value": value.where(measured, ""), "shown": present | measured})
    key = ["patient_id", "lesion_id", "assessment_date"]
    shown = frame[frame.groupby(key)["shown"].transform("any")].sort_values(["rank", "value"], ascending=[True, False])
    values = shown[shown["value"] != ""].drop_duplicates(key).set_index(key)["value"]
    out = shown[key].drop_duplicates().join(values, on=key).fillna({"value": ""})
    sites = tu.loc[tu["TUSTRESC"].str.upper() == "NEW", ["USUBJID", "TULNKID"]].assign(site=column(
        tu[tu["TUSTRESC"].str.upper() == "NEW"], "TULOC")).drop_duplicates(["USUBJID", "TULNKID"])
    out = out.merge(sites.rename(columns={"USUBJID": "patient_id", "TULNKID": "lesion_id"}), how="left")
    out = out.assign(site=out["site"].fillna(""), diameter_mm=out["value"].map(
        lambda v: diameter_text(v)[0] if v else ""), status="")
    return (out[OUTPUT_COLUMNS["new_lesions"]].sort_values(key, kind="stable").reset_index(drop=True))


def new_lesion_code(states: pd.Series) -> str:
    """`yes` if any UNEQUIVOCAL, `equivocal` if any EQUIVOCAL, `no` if assessed, else empty."""
    if (states == "UNEQUIVOCAL").any():
        return "yes"
    if (states == "EQUIVOCAL").any():
        return "equivocal"
    return "no" if len(states) else ""


def non_target_code(states: pd.Series) -> str:
    """PD if any UNEQUIVOCAL, else NE if any not done, else CR if all ABSENT, else NON_CR_NON_PD."""
    if states.empty:
        return ""
    if (states == "UNEQUIVOCAL").any():
        return "PD"
    if (states == "NOT DONE").any():
        return "NE"
    if (states == "ABSENT").all():
        return "CR"
    return "NON_CR_NON_PD"


def map_recorded_responses(rs: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """RS responses of the chosen evaluator, one row per subject and visit date: RECIST 1.1
    records, and the overall response of iRECIST ones (RSCAT holding IRECIST)."""
    file = rs.attrs.get("file", "RS")
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for record in rs.to_dict("records"):
        test = record["RSTESTCD"].upper()
        subject, day = record["USUBJID"], record["assessment_date"]
        is_irecist = IRECIST_CATEGORY in record.get("RSCAT", "").upper()
        tests = IRECIST_TESTS if is_irecist else RECORDED_TESTS
        if test not in tests:
            issues.add(file, subject, "sdtm_code_unmapped", unmapped_test_message(record, is_irecist),
                       assessment_date=day)
            continue
        name, codes = tests[test]
        raw = record["RSSTRESC"].upper()
        if record.get("RSSTAT", "").upper() == "NOT DONE" and test != "NEWLPROG":
            code = "NE"
        elif raw in codes:
            code = codes[raw]
        else:
            code = ""
            issues.add(file, subject, "sdtm_code_unmapped",
                       f"{test} '{record['RSSTRESC']}' is not a response code; recorded as empty",
                       assessment_date=day)
        key = (subject, day, visit_key(record.get("VISITNUM", "")))
        row = out.setdefault(key, dict(patient_id=subject, assessment_date=day, visit_num=key[2],
                                       visit=record.get("VISIT", "")))
        if name in row and row[name] != code:
            issues.add(file, subject, "sdtm_duplicate_conflict",
                       f"two {test} records disagree ({row[name]}, {code}); recorded as empty",
                       assessment_date=day)
            code = ""
        row[name] = code
    return (pd.DataFrame(list(out.values()), columns=RECORDED_COLUMNS).fillna("")
            .sort_values(["patient_id", "assessment_date", "visit_num"], kind="stable")
            .reset_index(drop=True))


def unmapped_test_message(record: dict[str, str], is_irecist: bool) -> str:
    """Why an RS record's RSTESTCD is not imported."""
    if is_irecist:
        return (f"RSTESTCD '{record['RSTESTCD']}' of RSCAT '{record['RSCAT']}' is not imported "
                f"(of iRECIST, only {', '.join(IRECIST_TESTS)} is compared)")
    return f"RSTESTCD '{record['RSTESTCD']}' is not one of {', '.join(RECORDED_TESTS)}; not imported"


def import_sdtm(domains: dict[str, pd.DataFrame], evaluator: str = "investigator") -> SdtmImport:
    """The contract's input tables from SDTM domains, for one evaluator, or with `all` for every
    evaluator as a reader."""
    if evaluator not in EVALUATORS:
        raise UserError(f"--evaluator must be one of {', '.join(EVALUATORS)}, not {evaluator}")
    readers = sorted(set(evaluator_names(domains["TR"], "TR")) - {""}) if evaluator == "all" else []
    if readers:
        return import_readers(domains, readers)
    return import_evaluator(domains, lambda frame, prefix: select_evaluator(frame, prefix, evaluator))


def evaluator_names(frame: pd.DataFrame, prefix: str) -> pd.Series:
    """Each record's evaluator as a reader name: its --EVALID (RADIOLOGIST 1), else its --EVAL."""
    evaluator_id = column(frame, prefix + "EVALID")
    return evaluator_id.where(evaluator_id != "", column(frame, prefix + "EVAL").str.upper())


def import_readers(domains: dict[str, pd.DataFrame], readers: list[str]) -> SdtmImport:
    """`--evaluator all`: every TR evaluator's import, its measurements, assessments and new
    lesions with a `reader` column (docs/readers.md). Patients, procedures and the recorded
    responses are the first reader's in name order (the one the build chooses by default);
    lesions the first reader's, then any other reader's lesion not among them."""
    imports = {reader: import_evaluator(domains, lambda frame, prefix, reader=reader:
                                        frame[evaluator_names(frame, prefix) == reader]) for reader in readers}
    first = imports[readers[0]]

    def stacked(name: str) -> pd.DataFrame:
        return pd.concat([getattr(one, name).assign(reader=reader) for reader, one in imports.items()], ignore_index=True)

    lesions = pd.concat([one.lesions for one in imports.values()], ignore_index=True)
    return SdtmImport(
        patients=first.patients, lesions=lesions.drop_duplicates(["patient_id", "lesion_id"]),
        measurements=stacked("measurements"), assessments=stacked("assessments"), procedures=first.procedures,
        new_lesions=stacked("new_lesions"), recorded_responses=first.recorded_responses,
        import_issues=pd.concat([one.import_issues for one in imports.values()]).drop_duplicates(ignore_index=True))


def import_evaluator(domains: dict[str, pd.DataFrame], select) -> SdtmImport:
    """The contract's input tables from the TU, TR and RS records `select(frame, prefix)` keeps."""
    issues = Issues()
    dates = visit_dates(domains)
    tu = select(domains["TU"], "TU")
    tr = select(domains["TR"], "TR").copy()
    tr.attrs = domains["TR"].attrs
    tr["assessment_date"] = resolve_dates(tr, "TRDTC", dates, issues)
    lesions = map_lesions(tu, issues)
    recorded = pd.DataFrame(columns=RECORDED_COLUMNS)
    if "RS" in domains:
        rs = select(domains["RS"], "RS").copy()
        rs.attrs = domains["RS"].attrs
        rs["assessment_date"] = resolve_dates(rs, "RSDTC", dates, issues)
        recorded = map_recorded_responses(rs, issues)
    return SdtmImport(
        patients=map_patients(domains, issues),
        lesions=lesions,
        measurements=map_measurements(tr, lesions, issues),
        assessments=map_assessments(tr, issues),
        procedures=pd.DataFrame(columns=OUTPUT_COLUMNS["procedures"]),
        new_lesions=map_new_lesions(tr, tu),
        recorded_responses=recorded,
        import_issues=issues.frame(),
    )


def write_contract_folder(result: SdtmImport, out: Path) -> dict[str, Path]:
    """Write the contract files (new_lesions.csv included), recorded_responses.csv and import_issues.csv."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, columns in OUTPUT_COLUMNS.items():
        path = out / f"{name}.csv"
        table = getattr(result, name)
        table[columns + ["reader"] * ("reader" in table.columns)].to_csv(path, index=False)
        written[name] = path
    return written

