"""`lesionwise import-sdtm` on the pharmaversesdtm test data (tests/data/pharmaverse-sdtm)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis_py import input_contract
from analysis_py.sdtm import audit as sdtm_audit
from analysis_py.sdtm import importer as sdtm
from analysis_py.cli import app
from analysis_py.errors import UserError

SDTM = Path(__file__).resolve().parents[1] / "data" / "pharmaverse-sdtm"


@pytest.fixture(scope="module")
def onco() -> sdtm.SdtmImport:
    """The 306-subject study as the investigator read it."""
    return sdtm.import_sdtm(sdtm.read_sdtm(SDTM, "_onco"), "investigator")


@pytest.fixture(scope="module")
def recist_domains() -> dict[str, pd.DataFrame]:
    return sdtm.read_sdtm(SDTM, "_onco_recist")


def rows(frame: pd.DataFrame, **where: str) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for name, value in where.items():
        mask &= frame[name] == value
    return frame[mask]


def test_onco_counts(onco):
    counts = onco.counts()
    assert counts["subjects_with_tumour_results"] == 254
    assert counts["patients"] == 306
    assert counts["lesions"] == 2540
    assert counts["measurements"] == 4435
    assert counts["evaluations"] == 887
    assert counts["assessments"] == 887
    assert counts["recorded_responses"] == 633
    assert counts["procedures"] == 0


def test_onco_patients(onco):
    patients = onco.patients
    assert patients["patient_id"].is_unique
    assert (patients["exclusion_reason"] == "screening_failure").sum() == 52
    # Screen failures have no RFXSTDTC / RFSTDTC: no inclusion date, and that is expected.
    assert (patients.loc[patients["exclusion_reason"] == "", "inclusion_date"] != "").all()
    assert (patients["death_date"] != "").sum() == 3
    first = rows(patients, patient_id="01-701-1015").iloc[0]
    assert (first["study_id"], first["sex"], first["age"], first["arm"]) == (
        "CDISCPILOT01", "F", "63", "Placebo")
    assert first["inclusion_date"] == "2014-01-02"
    # DS has a date-time 2014-07-02T11:45 (RFPENDTC too): its date is the last contact.
    assert first["last_contact_date"] == "2014-07-02"


def test_onco_lesions_and_measurements(onco):
    assert onco.lesions["role"].value_counts().to_dict() == {"target": 1270, "non_target": 1270}
    assert (onco.lesions["site"] == "").sum() == 1270  # empty TULOC stays empty
    assert onco.measurements["status"].value_counts().to_dict() == {"": 4413, "not_evaluable": 22}
    assert (onco.measurements.loc[onco.measurements["status"] == "not_evaluable", "diameter_mm"]
            == "").all()
    assert not onco.measurements.duplicated(["patient_id", "lesion_id", "assessment_date"]).any()


def test_onco_assessments(onco):
    assessments = onco.assessments
    assert assessments["non_target_response"].value_counts().to_dict() == {
        "NON_CR_NON_PD": 500, "PD": 233, "NE": 88, "CR": 66}
    assert assessments["new_lesions"].value_counts().to_dict() == {
        "": 849, "equivocal": 27, "yes": 11}


def test_onco_new_lesions_are_the_unequivocal_new_ones(onco):
    """The 11 UNEQUIVOCAL NEW TUMSTATE rows (no NEW diameters in this data set): one new_lesions.csv
    row each, unmeasured, at an evaluation whose new lesions are `yes` (no conflict)."""
    new_lesions = onco.new_lesions
    assert len(new_lesions) == 11 and (new_lesions["diameter_mm"] == "").all()
    flagged = new_lesions.merge(onco.assessments, on=["patient_id", "assessment_date"])
    assert len(flagged) == 11 and (flagged["new_lesions"] == "yes").all()


def test_onco_partial_date_takes_the_visit_date(onco):
    # The investigator's baseline target rows of 01-701-1015 say 2014-01; the non-target
    # rows of the same visit say 2014-01-02.
    baseline = rows(onco.measurements, patient_id="01-701-1015", lesion_id="T01")
    assert baseline["assessment_date"].min() == "2014-01-02"
    assert onco.import_issues.to_dict("records") == [
        dict(source_file="rs_onco.csv.gz", patient_id="01-711-1143", lesion_id="",
             assessment_date="2013-06-22", rule="sdtm_code_unmapped",
             message="OVRLRESP 'CHECK' is not a response code; recorded as empty"),
        dict(source_file="tr_onco.csv.gz", patient_id="01-701-1015", lesion_id="",
             assessment_date="2014-01-02", rule="sdtm_date_imputed",
             message="TRDTC 2014-01 at VISITNUM 3 taken as 2014-01-02, "
                     "the date of another record of that visit"),
    ]


def test_onco_recorded_responses(onco):
    recorded = onco.recorded_responses
    assert recorded["overall_response"].value_counts().to_dict() == {
        "PD": 387, "PR": 115, "CR": 57, "SD": 73, "": 1}
    assert recorded["non_target_response"].value_counts().to_dict() == {
        "NON_CR_NON_PD": 245, "PD": 233, "NE": 88, "CR": 66, "": 1}
    first = rows(recorded, patient_id="01-701-1015", assessment_date="2014-02-12").iloc[0]
    assert (first["visit_num"], first["target_response"], first["non_target_response"],
            first["overall_response"]) == ("7", "PR", "PD", "PD")


def test_recist_independent_takes_the_accepted_radiologist(recist_domains):
    result = sdtm.import_sdtm(recist_domains, "independent")
    counts = result.counts()
    assert (counts["subjects_with_tumour_results"], counts["lesions"], counts["measurements"],
            counts["evaluations"], counts["recorded_responses"]) == (6, 25, 78, 30, 22)
    values = rows(result.measurements, patient_id="01-701-1015").set_index(
        ["lesion_id", "assessment_date"])["diameter_mm"]
    assert values[("T01", "2014-01-02")] == "21"      # radiologist 1 accepted at screening
    assert values[("T01", "2014-01-23")] == "19.4"    # radiologist 2 accepted at week 3
    assert values[("T02", "2014-01-02")] == "32.32"   # a lymph node: LPERP, not LDIAM 33.6128
    assert values[("T02", "2014-01-23")] == "33.32"
    # Week 6 has a partial date with no full date at that visit: the first of the month.
    assert values[("T04", "2014-02-01")] == "17.64"
    assert ("T02", "2014-02-01") not in values.index  # not read that week: no row
    recorded = rows(result.recorded_responses, patient_id="01-701-1133").set_index(
        "assessment_date")["overall_response"]
    assert recorded.to_dict() == {"2012-11-18": "SD", "2012-12-09": "CR", "2012-12-30": "PD"}
    assert set(result.import_issues["rule"]) == {"sdtm_date_imputed"}


def test_recist_investigator_differs_from_independent(recist_domains):
    result = sdtm.import_sdtm(recist_domains, "investigator")
    values = rows(result.measurements, patient_id="01-701-1015").set_index(
        ["lesion_id", "assessment_date"])["diameter_mm"]
    assert (values[("T01", "2014-01-23")], values[("T02", "2014-01-23")]) == ("20", "34")
    recorded = rows(result.recorded_responses, patient_id="01-701-1133").set_index(
        "assessment_date")["overall_response"]
    assert recorded["2012-11-18"] == "PR"
    assessments = result.assessments
    assert assessments["non_target_response"].tolist() == ["NON_CR_NON_PD"] * 5
    assert assessments["patient_id"].value_counts().to_dict() == {"01-701-1034": 3,
                                                                  "01-701-1097": 2}


@pytest.mark.parametrize("states, expected", [
    (["ABSENT", "PRESENT", "UNEQUIVOCAL", "NOT DONE"], "PD"),
    (["ABSENT", "PRESENT", "NOT DONE"], "NE"),
    (["ABSENT", "ABSENT"], "CR"),
    (["ABSENT", "PRESENT"], "NON_CR_NON_PD"),
    (["EQUIVOCAL"], "NON_CR_NON_PD"),
    ([], ""),
])
def test_non_target_code(states, expected):
    assert sdtm.non_target_code(pd.Series(states, dtype=object)) == expected


@pytest.mark.parametrize("states, expected", [
    (["EQUIVOCAL", "UNEQUIVOCAL"], "yes"), (["EQUIVOCAL"], "equivocal"), (["ABSENT"], "no"),
    ([], ""),
])
def test_new_lesion_code(states, expected):
    assert sdtm.new_lesion_code(pd.Series(states, dtype=object)) == expected


def test_resolve_dates():
    frame = pd.DataFrame({"USUBJID": ["A", "A", "A", "B"], "VISITNUM": ["3.0", "3", "4", "5"],
                          "TRDTC": ["2014-01", "2014-01-05T10:00", "2014-02", "2014"]})
    frame.attrs["file"] = "tr.csv"
    issues = sdtm.Issues()
    dates = {("A", "3"): ["2013-12-30", "2014-01-05"]}
    resolved = sdtm.resolve_dates(frame, "TRDTC", dates, issues)
    assert resolved.tolist() == ["2014-01-05", "2014-01-05", "2014-02-01", "2014"]
    assert sorted(issues.frame()["rule"]) == ["sdtm_date_imputed", "sdtm_date_imputed",
                                              "sdtm_date_unparseable"]


def test_select_evaluator_without_evaluator_column():
    frame = pd.DataFrame({"USUBJID": ["A"], "TREVAL": [""]})
    assert len(sdtm.select_evaluator(frame, "TR", "independent")) == 1


def test_diameter_text():
    assert sdtm.diameter_text("10.0") == ("10", False)
    assert sdtm.diameter_text("33.6128") == ("33.61", True)
    assert sdtm.diameter_text("20.125") == ("20.13", True)
    assert sdtm.diameter_text("abc") == ("abc", False)


def test_missing_suffix_is_one_line_error():
    with pytest.raises(UserError, match="found tu_onco.csv.gz, tu_onco_recist.csv: pass --suffix"):
        sdtm.find_domain_files(SDTM)


def test_cli_writes_the_contract_folder(tmp_path):
    result = CliRunner().invoke(app, ["import-sdtm", "--sdtm", str(SDTM), "--suffix",
                                      "_onco_recist", "--evaluator", "independent",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "306 patients (6 with tumour results), 25 lesions, 78 measurements" in result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["assessments.csv", "import_issues.csv", "lesions.csv", "measurements.csv",
                       "new_lesions.csv", "patients.csv", "procedures.csv", "recorded_responses.csv"]
    measurements = pd.read_csv(tmp_path / "measurements.csv", dtype=str, keep_default_na=False)
    assert list(measurements.columns) == ["patient_id", "lesion_id", "assessment_date",
                                          "diameter_mm", "status"]
    assert len(measurements) == 78


def test_cli_bad_evaluator_exits_non_zero(tmp_path):
    result = CliRunner().invoke(app, ["import-sdtm", "--sdtm", str(SDTM), "--suffix", "_onco_recist",
                                      "--evaluator", "radiologist", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "--evaluator must be one of investigator, independent" in result.output


# --- the audit mart, built from the imports (runs `dbt build`) -----------------------------

def build_import(tmp: Path, suffix: str, evaluator: str) -> dict[str, pd.DataFrame]:
    """Import, `dbt build`, and read back the audit and the patients."""
    from analysis_py.warehouse.build import run_dbt_build
    from analysis_py.warehouse.marts import read_marts
    folder, db = tmp / "input", tmp / "lesionwise.duckdb"
    result = sdtm.import_sdtm(sdtm.read_sdtm(SDTM, suffix), evaluator)
    sdtm.write_contract_folder(result, folder)
    run_dbt_build(folder, db, quiet=True)
    return read_marts(db, ("fct_response_audit", "dim_patients", "cohort_flow"))


@pytest.fixture(scope="module")
def onco_marts(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return build_import(tmp_path_factory.mktemp("onco"), "_onco", "investigator")


@pytest.fixture(scope="module")
def recist_marts(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return build_import(tmp_path_factory.mktemp("recist"), "_onco_recist", "independent")


def test_onco_cohort(onco_marts):
    flow = onco_marts["cohort_flow"].set_index("reason")["n_patients"].to_dict()
    assert flow == {"screening_failure": 52, "no_follow_up_assessment": 49, "eligible": 205}


def test_onco_audit_agreement(onco_marts):
    audit = onco_marts["fct_response_audit"]
    table = sdtm_audit.audit_agreement(audit).set_index("response")
    assert len(audit) == 633 and audit["is_recomputed"].all()
    assert table.loc["target", ["n_compared", "n_agree", "n_disagree"]].tolist() == [633, 558, 75]
    assert table.loc["non_target", ["n_compared", "n_agree"]].tolist() == [632, 632]
    assert table.loc["new_lesions", ["n_compared", "n_agree"]].tolist() == [633, 633]
    assert table.loc["overall", ["n_compared", "n_agree", "n_disagree"]].tolist() == [632, 597, 35]
    assert table.loc["all", ["n_agree", "n_disagree"]].tolist() == [558, 75]
    assert table["n_unexplained"].sum() == 0


def test_onco_audit_every_disagreement_has_a_named_reason(onco_marts):
    audit = onco_marts["fct_response_audit"]
    disagree = audit[~audit["agrees"]]
    assert disagree["reason"].value_counts().to_dict() == {
        "progression_from_baseline_not_nadir": 55, "missing_lesion": 20}
    assert audit.loc[audit["overall_agrees"] == False, "overall_reason"].value_counts().to_dict() == {  # noqa: E712
        "progression_from_baseline_not_nadir": 27, "missing_lesion": 8}
    assert audit.loc[audit["agrees"], "reason"].isna().all()
    # The nadir cases: recomputed PD over the nadir sum, recorded SD/PR (not PD over baseline).
    nadir = audit[audit["target_reason"] == "progression_from_baseline_not_nadir"]
    assert set(nadir["target_response"]) == {"PD"}
    assert nadir["recorded_target_response"].value_counts().to_dict() == {"SD": 36, "PR": 19}
    assert (nadir["sum_mm"] < nadir["baseline_sum_mm"] * 1.2).all()
    missing = audit[audit["target_reason"] == "missing_lesion"]
    assert set(missing["target_response"]) == {"NE"} and (missing["n_missing_target_lesions"] > 0).all()
    row = audit[(audit["patient_id"] == "01-701-1317")
                & (audit["assessment_date"] == pd.Timestamp("2014-11-06"))].iloc[0]
    assert (row["recorded_target_response"], row["target_response"], float(row["sum_mm"]),
            float(row["baseline_sum_mm"]), float(row["nadir_sum_mm"])) == ("SD", "PD", 56, 78, 40)


def test_onco_recorded_target_is_the_simplified_rule(onco_marts):
    # The README of the data: recorded responses measure progression from baseline, with no
    # 5 mm rule. Recomputing that rule reproduces every recorded target response.
    audit = onco_marts["fct_response_audit"]
    s, sb = audit["sum_mm"].astype(float), audit["baseline_sum_mm"].astype(float)
    simplified = pd.Series("SD", index=audit.index)
    simplified[s <= 0.7 * sb] = "PR"
    simplified[s >= 1.2 * sb] = "PD"
    simplified[audit["target_response"] == "CR"] = "CR"
    assert (simplified == audit["recorded_target_response"]).all()


def test_recist_independent_audit(recist_marts):
    patients = recist_marts["dim_patients"]
    assert patients["eligible"].sum() == 6
    audit = recist_marts["fct_response_audit"]
    table = sdtm_audit.audit_agreement(audit).set_index("response")
    assert table.loc["target", "n_compared"] == 0  # this RS records OVRLRESP only
    assert table.loc["overall", ["n_compared", "n_agree", "n_disagree"]].tolist() == [22, 19, 3]
    not_recomputed = audit[audit["reason"] == "not_recomputed"]
    assert sorted(not_recomputed["patient_id"]) == ["01-701-1034", "01-701-1034", "01-701-1097"]
    assert set(not_recomputed["recorded_overall_response"]) == {"NON_CR_NON_PD"}
    # Radiologist 1 read 01-701-1133 at week 3: 42.82 mm from 59.54 is -28.1 %: SD (the
    # investigator's 42 from 60 is -30 %: PR).
    row = audit[(audit["patient_id"] == "01-701-1133")
                & (audit["assessment_date"] == pd.Timestamp("2012-11-18"))].iloc[0]
    assert (float(row["sum_mm"]), float(row["baseline_sum_mm"]), row["overall_response"],
            row["recorded_overall_response"]) == (42.82, 59.54, "SD", "SD")


def test_cli_audit_prints_the_agreement_table(onco_marts, tmp_path_factory):
    db = next(tmp_path_factory.getbasetemp().glob("onco*/lesionwise.duckdb"))
    result = CliRunner().invoke(app, ["audit", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["response", "n_visits", "n_compared", "n_agree", "pct_agree",
                                "n_disagree", "n_unexplained"]
    assert lines[1].split() == ["target", "633", "633", "558", "88.2", "75", "0"]
    assert any(line.split()[:2] == ["progression_from_baseline_not_nadir", "55"] for line in lines)


def test_lymph_node_without_short_axis_is_reported():
    tr = pd.DataFrame({"USUBJID": ["A", "A", "A"], "TRGRPID": ["TARGET"] * 3,
                       "TRLNKID": ["T1", "T1", "T2"], "TRTESTCD": ["LDIAM", "LPERP", "LDIAM"],
                       "TRSTRESN": ["12.5", "8", "30"], "TRSTAT": ["", "", ""],
                       "assessment_date": ["2020-01-01"] * 3})
    lesions = pd.DataFrame({"patient_id": ["A", "A"], "lesion_id": ["T1", "T2"],
                            "site": ["Cervical lymph node", "LYMPH NODE"]})
    issues = sdtm.Issues()
    out = sdtm.map_measurements(tr, lesions, issues)
    assert out[["lesion_id", "diameter_mm"]].values.tolist() == [["T1", "8"]]  # short axis
    assert issues.frame()[["lesion_id", "rule"]].values.tolist() == [["T2", "sdtm_measurement_unmapped"]]


def test_a_lymph_node_is_a_site_the_site_keywords_group_so():
    """The build's rule (seed site_group_keywords, substrings without accents), not a regex:
    an adenopathy is measured by its short axis, a lung lesion by its longest diameter."""
    tr = pd.DataFrame({"USUBJID": ["A"] * 4, "TRGRPID": ["TARGET"] * 4,
                       "TRLNKID": ["T1", "T1", "T2", "T2"], "TRTESTCD": ["LDIAM", "LPERP"] * 2,
                       "TRSTRESN": ["25", "12", "30", "20"], "TRSTAT": [""] * 4,
                       "assessment_date": ["2020-01-01"] * 4})
    lesions = pd.DataFrame({"patient_id": ["A", "A"], "lesion_id": ["T1", "T2"],
                            "site": ["Adénopathie médiastinale", "Lung"]})
    out = sdtm.map_measurements(tr, lesions, sdtm.Issues())
    assert out[["lesion_id", "diameter_mm"]].values.tolist() == [["T1", "12"], ["T2", "30"]]


def test_the_codes_written_are_the_contracts(onco):
    written = [(onco.patients, "sex", "sex"), (onco.lesions, "role", "role"),
               (onco.measurements, "status", "status"), (onco.assessments, "new_lesions", "new_lesions"),
               (onco.assessments, "non_target_response", "non_target_response"),
               (onco.recorded_responses, "target_response", "response"),
               (onco.recorded_responses, "non_target_response", "non_target_response"),
               (onco.recorded_responses, "new_lesions", "new_lesions"),
               (onco.recorded_responses, "overall_response", "recorded_overall_response")]
    for frame, column, code_list in written:
        values = set(frame[column]) - {""}
        assert values and values <= set(input_contract.codes(code_list)), (column, values)
    assert "NON_CR_NON_PD" in set(onco.recorded_responses["non_target_response"])  # NON-CR/NON-PD in RS


def test_every_evaluator_becomes_a_reader(onco, tmp_path):
    """--evaluator all: the investigator and the two radiologists (TREVALID) each read the
    4,435 measurements and 887 evaluations; the first in name order is the investigator,
    whose patients and recorded responses are the one-evaluator import's."""
    every = sdtm.import_sdtm(sdtm.read_sdtm(SDTM, "_onco"), "all")
    assert every.measurements["reader"].value_counts().to_dict() == {
        "INVESTIGATOR": 4435, "RADIOLOGIST 1": 4435, "RADIOLOGIST 2": 4435}
    assert every.assessments["reader"].value_counts().to_dict() == {
        "INVESTIGATOR": 887, "RADIOLOGIST 1": 887, "RADIOLOGIST 2": 887}
    investigator = every.measurements[every.measurements["reader"] == "INVESTIGATOR"].drop(columns="reader")
    pd.testing.assert_frame_equal(investigator.reset_index(drop=True), onco.measurements.reset_index(drop=True))
    pd.testing.assert_frame_equal(every.recorded_responses, onco.recorded_responses)
    written = sdtm.write_contract_folder(every, tmp_path)
    assert pd.read_csv(written["measurements"], nrows=0).columns[-1] == "reader"


# --- recorded iRECIST responses: a hand-made SDTM folder ---------------------------------

# Two patients included 2020-01-01, two target lesions each (T1 liver, T2 lung; sums in mm),
# RS recording RECIST 1.1 and iRECIST overall responses at each scan. By hand (iRECIST:
# docs/irecist.md, window 28-56 days, +5 mm):
#   A  2019-12-20  50   baseline
#      2020-02-26  34   -32 % PR                                  iPR
#      2020-04-22  50   +16 mm over the nadir 34: PD, first PD    iUPD
#      2020-05-27  52   +2 mm, but new lesion N1 (TR NEW UNEQUIVOCAL), 35 days: iCPD
#   B  2019-12-20  50   baseline
#      2020-02-26  48   SD                                        iSD
#      2020-04-22  62   +14 mm over the nadir 48: PD, first PD    iUPD
#      2020-06-24  70   +8 mm, but 63 days after the iUPD (> 56): iUPD; the trial records iCPD
HAND_SUMS = {"A": [("2019-12-20", 30, 20), ("2020-02-26", 19, 15), ("2020-04-22", 30, 20), ("2020-05-27", 31, 21)],
             "B": [("2019-12-20", 30, 20), ("2020-02-26", 28, 20), ("2020-04-22", 36, 26), ("2020-06-24", 40, 30)]}
HAND_RECORDED = {  # patient -> post-baseline (RECIST 1.1, iRECIST as RS writes them)
    "A": [("PR", "iPR"), ("PD", "iUPD"), ("PD", "iCPD")],
    "B": [("SD", "ISD"), ("PD", "iUPD"), ("PD", "iCPD")]}


def write_hand_sdtm(folder: Path) -> Path:
    """The hand-made SDTM folder above (DM, TU, TR, RS as CSV)."""
    folder.mkdir()
    pd.DataFrame({"STUDYID": "S1", "USUBJID": ["A", "B"], "SEX": "F", "AGE": "60",
                  "RFXSTDTC": "2020-01-01"}).to_csv(folder / "dm.csv", index=False)
    tu = [dict(USUBJID=p, TULNKID=lesion, TUSTRESC=role, TULOC=site) for p in HAND_SUMS
          for lesion, role, site in (("T1", "TARGET", "LIVER"), ("T2", "TARGET", "LUNG"))]
    tu.append(dict(USUBJID="A", TULNKID="N1", TUSTRESC="NEW", TULOC="LIVER"))
    pd.DataFrame(tu).to_csv(folder / "tu.csv", index=False)
    tr, rs = [], []
    for patient, scans in HAND_SUMS.items():
        for visit, (day, t1, t2) in enumerate(scans, start=1):
            for lesion, value in (("T1", t1), ("T2", t2)):
                tr.append(dict(USUBJID=patient, TRLNKID=lesion, TRGRPID="TARGET", TRTESTCD="DIAMETER",
                               TRSTRESC=str(value), TRSTRESN=str(value), TRDTC=day, VISITNUM=visit))
            if visit == 1:
                continue
            recist, irecist = HAND_RECORDED[patient][visit - 2]
            for category, code in (("RECIST 1.1", recist), ("iRECIST", irecist)):
                rs.append(dict(USUBJID=patient, RSCAT=category, RSTESTCD="OVRLRESP", RSSTRESC=code,
                               RSDTC=day, VISITNUM=visit))
    tr.append(dict(USUBJID="A", TRLNKID="N1", TRGRPID="NEW", TRTESTCD="TUMSTATE", TRSTRESC="UNEQUIVOCAL",
                   TRSTRESN="", TRDTC="2020-05-27", VISITNUM=4))
    rs.append(dict(USUBJID="A", RSCAT="RECIST 1.1", RSTESTCD="NEWLPROG", RSSTRESC="UNEQUIVOCAL",
                   RSDTC="2020-05-27", VISITNUM=4))
    rs.append(dict(USUBJID="A", RSCAT="iRECIST", RSTESTCD="TRGRESP", RSSTRESC="iUPD", RSDTC="2020-04-22",
                   VISITNUM=3))  # an iRECIST component: reported, not imported
    pd.DataFrame(tr).to_csv(folder / "tr.csv", index=False)
    pd.DataFrame(rs).to_csv(folder / "rs.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def hand_irecist(tmp_path_factory) -> tuple[sdtm.SdtmImport, dict[str, pd.DataFrame]]:
    """The hand-made folder imported, and built."""
    from analysis_py.warehouse.build import run_dbt_build
    from analysis_py.warehouse.marts import read_marts
    tmp = tmp_path_factory.mktemp("hand_irecist")
    result = sdtm.import_sdtm(sdtm.read_sdtm(write_hand_sdtm(tmp / "sdtm")))
    sdtm.write_contract_folder(result, tmp / "input")
    run_dbt_build(tmp / "input", tmp / "lesionwise.duckdb", quiet=True)
    return result, read_marts(tmp / "lesionwise.duckdb", ("fct_response_audit",))


def test_irecist_rs_records_are_imported_apart_from_the_recist_ones(hand_irecist):
    result, _ = hand_irecist
    recorded = result.recorded_responses.set_index(["patient_id", "assessment_date"])
    assert recorded["overall_response"].tolist() == ["PR", "PD", "PD", "SD", "PD", "PD"]
    assert recorded["irecist_overall_response"].tolist() == ["iPR", "iUPD", "iCPD", "iSD", "iUPD", "iCPD"]
    assert set(recorded["irecist_overall_response"]) <= set(input_contract.codes("recorded_irecist_response"))
    assert result.import_issues[["patient_id", "assessment_date", "rule"]].values.tolist() == [
        ["A", "2020-04-22", "sdtm_code_unmapped"]]  # the iRECIST TRGRESP
    assert "only OVRLRESP is compared" in result.import_issues["message"].iloc[0]
    assert result.new_lesions[["patient_id", "lesion_id", "assessment_date"]].values.tolist() == [
        ["A", "N1", "2020-05-27"]]


def test_irecist_audit_agrees_on_iupd_and_icpd_and_names_the_window(hand_irecist):
    _, marts = hand_irecist
    audit = marts["fct_response_audit"].set_index(["patient_id", "assessment_date"]).sort_index()
    assert audit["irecist_overall_response"].tolist() == ["iPR", "iUPD", "iCPD", "iSD", "iUPD", "iUPD"]
    assert audit["overall_agrees"].all()
    assert audit["irecist_agrees"].tolist() == [True] * 5 + [False]
    late = audit.loc[("B", pd.Timestamp("2020-06-24"))]
    assert (late["recorded_irecist_overall_response"], late["irecist_reason"], late["reason"],
            late["irecist_iupd_date"]) == ("iCPD", "confirmation_window", "confirmation_window",
                                           pd.Timestamp("2020-04-22"))
    table = sdtm_audit.audit_agreement(marts["fct_response_audit"]).set_index("response")
    assert table.loc["irecist", ["n_compared", "n_agree", "n_disagree", "n_unexplained"]].tolist() == [6, 5, 1, 0]
    assert table.loc["all", ["n_agree", "n_disagree"]].tolist() == [5, 1]
    assert sdtm_audit.audit_reasons(marts["fct_response_audit"]).set_index("reason").loc[
        "confirmation_window", ["irecist", "all"]].tolist() == [1, 1]


def test_the_audit_reports_irecist_only_when_recorded(onco_marts):
    assert "irecist" not in set(sdtm_audit.audit_agreement(onco_marts["fct_response_audit"])["response"])
    assert "irecist" not in sdtm_audit.audit_reasons(onco_marts["fct_response_audit"]).columns
