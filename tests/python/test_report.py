"""`lesionwise report` on the demo cohort, opened in headless Chromium (Debian's `chromium`).

The browser is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`, fds 3
and 4), with the standard library only. Set LESIONWISE_REPORT_SCREENSHOT=<file.png> to also
save the screenshot there (docs/report-screenshot.png comes from this test).
"""
from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from analysis_py.cli import app
from analysis_py.warehouse.marts import MARTS, read_marts, read_settings
from analysis_py.outputs.report import REPORT_ONLY_MARTS, patient_labels, render_report, write_report
from analysis_py.study.results import study_results
from conftest import build_marts

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--remote-debugging-pipe"]
FIXED_FIGURES = {"flow", "best_response_by_site", "waterfall_lesions", "waterfall_patients", "swimmer", "km_os",
                 "km_pfs", "irecist_swimmer", "bland_altman", "bor_confusion"}  # the last two: the demo's two readers
TABLES = {"table1", "table2", "best_response_by_site", "dr_prevalence", "survival",
          "response_predictors:target lesion", "response_predictors:measurement", "dr_predictors:patient",
          "dr_predictors:evaluation"}
PAGE_CHECKS = """(() => {
  const figures = [...document.querySelectorAll("figure")].map(f => {
    const img = f.querySelector("img");
    return {name: f.dataset.figure, loaded: !!img && img.complete && img.naturalWidth > 0,
            width: f.getBoundingClientRect().width, caption: f.textContent.trim()};
  });
  const tables = [...document.querySelectorAll("table")].map(t => ({
    name: t.dataset.table, width: t.getBoundingClientRect().width, rows: t.tBodies.length ? t.tBodies[0].rows.length : 0,
    filled: [...t.querySelectorAll("tbody td")].filter(td => td.textContent.trim()).length,
    model: (t.nextElementSibling && t.nextElementSibling.className === "model") ? t.nextElementSibling.textContent : "",
    text: t.innerText}));
  const galleries = Object.fromEntries([...document.querySelectorAll("[data-gallery]")].map(
    g => [g.dataset.gallery, g.querySelectorAll("figure").length]));
  const nav = document.querySelector("nav");
  return {figures, tables, galleries, navShown: getComputedStyle(nav).display !== "none",
          mainWidth: document.querySelector("main").getBoundingClientRect().width};
})()"""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("no chromium on PATH: `apt-get install chromium` (.ci/run installs it when missing)")


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, user_data_dir: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Chromium reads fd 3 and writes fd 4: copy the pipe ends above them first, so dup2 cannot clobber one.
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 100)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 100)

        def child_fds():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [find_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_chrome_r, from_chrome_w, high_r, high_w):
            os.close(fd)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._inbox: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_chrome, 1 << 20):
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._inbox.put(json.loads(message))

    def _pump(self, timeout: float) -> None:
        message = self._inbox.get(timeout=timeout)
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self.events.append(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while self._next_id not in self._replies:
            self._pump(max(deadline - time.monotonic(), 0.01))
        reply = self._replies.pop(self._next_id)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply["result"]

    def wait_for(self, method: str, session: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._pump(max(deadline - time.monotonic(), 0.01))

    def open(self, url: str, width: int = 1366, height: int = 900) -> str:
        """A new tab showing `url`, loaded; returns its session."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return session

    def evaluate(self, expression: str, session: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"]["value"]

    def problems(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and requests leaving the file."""
        found = []
        for event in (e for e in self.events if e.get("sessionId") == session):
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append("log: " + params["entry"]["text"])
            elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(("data:", "file:")):
                found.append("network: " + params["request"]["url"])
        return found

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_chrome)


@pytest.fixture(scope="module")
def demo_marts(tmp_path_factory):
    db = build_marts(DEMO, tmp_path_factory.mktemp("report-demo") / "demo.duckdb")
    return db, read_marts(db, (*MARTS, *REPORT_ONLY_MARTS))


@pytest.fixture(scope="module")
def demo_report(demo_marts, tmp_path_factory) -> Path:
    db, _ = demo_marts
    return write_report(db, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def embedded_pngs(page: str) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
            for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def assert_drawn(pixels: np.ndarray, min_width: int, min_height: int, what: str) -> None:
    height, width, _ = pixels.shape
    assert width >= min_width and height >= min_height, f"{what}: {width} x {height} px"
    not_white = (pixels < 245).any(axis=2).mean()
    colours = len(np.unique(pixels.reshape(-1, 3)[::7], axis=0))
    assert not_white > 0.02 and colours > 8, f"{what}: blank ({not_white:.1%} drawn, {colours} colours)"


def test_report_is_self_contained_and_its_figures_are_drawn(demo_marts, demo_report):
    _, marts = demo_marts
    page = demo_report.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the report links outside itself"
    assert "<link" not in page and "@import" not in page
    pngs = embedded_pngs(page)
    n_eligible = int(marts["dim_patients"]["eligible"].sum())
    assert len(pngs) == len(FIXED_FIGURES) + n_eligible  # one spider plot per eligible patient
    for i, pixels in enumerate(pngs):
        assert_drawn(pixels, 300, 200, f"figure {i}")


def test_report_shows_each_site_text_with_its_group_and_keyword(demo_marts, demo_report):
    _, marts = demo_marts
    table = re.search(r'<table data-table="site_mapping".*?</table>', demo_report.read_text(), flags=re.S).group(0)
    shown = re.findall(r'<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td class="num">(\d+)</td></tr>', table)
    mapping = marts["site_mapping"].sort_values(["n_lesions", "site"], ascending=[False, True])
    assert shown == [(r.site, r.site_group, r.matched_keyword if isinstance(r.matched_keyword, str) else "none",
                      str(r.n_lesions)) for r in mapping.itertuples()]


def test_report_in_headless_chromium(demo_marts, demo_report, browser, tmp_path):
    _, marts = demo_marts
    patients = marts["dim_patients"][marts["dim_patients"]["eligible"]]
    session = browser.open(demo_report.resolve().as_uri())
    page = browser.evaluate(PAGE_CHECKS, session)
    assert browser.problems(session) == []

    figures = {f["name"]: f for f in page["figures"]}
    assert FIXED_FIGURES <= set(figures)
    assert [f["name"] for f in page["figures"] if not f["loaded"] or f["width"] < 100] == []
    spiders = [name for name in figures if name.startswith("spider:")]
    assert sorted(spiders) == sorted(f"spider:{pid}" for pid in patients["patient_id"])
    assert page["galleries"] == {"dr": int(patients["dr_type"].notna().sum()),
                                 "no-dr": int(patients["dr_type"].isna().sum())}
    assert max(f["width"] for f in page["figures"] + page["tables"]) <= page["mainWidth"]  # nothing overflows

    tables = {t["name"]: t for t in page["tables"]}
    assert TABLES <= set(tables)
    assert [t["name"] for t in page["tables"] if t["rows"] == 0 or t["filled"] == 0] == []
    for name in (n for n in TABLES if "predictors:" in n):
        assert tables[name]["model"].startswith("Model: "), f"{name}: no model under the table"
    assert "(1 | patient_id/evaluation_id)" in tables["response_predictors:measurement"]["model"]
    assert "(1 | patient_id)" in tables["dr_predictors:evaluation"]["model"]
    assert "Fisher" in tables["dr_predictors:patient"]["model"]

    # The numbers are the marts' (demo: 22 responders, 62 DR patients).
    orr = int(patients["best_overall_response"].isin(["CR", "PR"]).sum())
    assert re.search(rf"ORR\t{orr} \({100 * orr / len(patients):.0f} %\)", tables["table2"]["text"])
    n_dr = int(patients["dr_type"].notna().sum())
    assert re.search(rf"any DR\t{n_dr} \({100 * n_dr / len(patients):.0f} %\)", tables["dr_prevalence"]["text"])
    assert re.search(r"OS: median \d+\.\d months \(95 % CI", figures["km_os"]["caption"])

    shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"])
    (tmp_path / "report.png").write_bytes(shot)
    assert_drawn(np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")), 1366, 900, "screenshot")
    if target := os.environ.get("LESIONWISE_REPORT_SCREENSHOT"):
        Path(target).write_bytes(shot)

    browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
    printed = browser.evaluate(PAGE_CHECKS, session)
    assert not printed["navShown"]
    assert max(f["width"] for f in printed["figures"] + printed["tables"]) <= printed["mainWidth"]
    pdf = base64.b64decode(browser.send("Page.printToPDF", {"preferCSSPageSize": True}, session)["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 200_000
    assert browser.problems(session) == []


def test_the_browser_check_catches_a_broken_page(browser, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><script>console.error("boom"); undefined_call();</script>'
                      '<img src="https://example.org/x.png"></body></html>')
    session = browser.open(broken.as_uri())
    problems = browser.problems(session)
    assert any(p.startswith("console: boom") for p in problems)
    assert any(p.startswith("exception:") for p in problems)
    assert any(p.startswith("network: https://example.org") for p in problems)


def test_pseudonymise_hides_patient_and_lesion_identifiers(demo_marts):
    db, marts = demo_marts
    tables = study_results(marts, lambda _: None)
    page = render_report(marts, tables, read_settings(db), db.name, pseudonymise=True, max_patient_plots=8)
    ids = set(marts["dim_patients"]["patient_id"]) | set(marts["dim_target_lesions"]["lesion_id"])
    shown = set(re.findall(r"[A-Za-z0-9_-]+", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)))
    assert ids & shown == set()
    assert re.search(r'data-figure="spider:Patient \d{3}"', page)
    labels = patient_labels(marts["dim_patients"]["patient_id"], True)
    assert len(set(labels.values())) == len(labels)
    assert labels == patient_labels(marts["dim_patients"]["patient_id"], True)  # the same in every report
    ranks = [int(label.split()[-1]) for _, label in sorted(labels.items())]
    assert ranks != sorted(ranks)  # numbered in an order unrelated to the identifiers


def test_report_command_user_error_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "make build" in result.output
