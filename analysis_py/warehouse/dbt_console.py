"""Runs dbt with its log events as JSON lines on stdout and turns them into what the build
says: one progress line per phase, dbt's own lines when asked, and its error messages."""
from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# events that carry a node's status line ("12 of 54 FAIL 1 ..."), not an error message
STATUS_LINES = {"LogTestResult", "LogModelResult", "LogSeedResult", "LogHookEndLine"}
MODEL_PHASES = ("staging", "intermediate", "marts")
JSON_ARGUMENTS = ["--log-format", "json", "--log-format-file", "text", "--no-use-colors"]


@dataclass
class DbtRun:
    """What a dbt process said: its exit code, its error messages and the phases it went through."""
    returncode: int = 0
    errors: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)


def phase_of(node: dict) -> str | None:
    """seeds, staging, intermediate, marts or tests for a node dbt starts; None for hooks."""
    kind = node.get("resource_type")
    if kind == "seed":
        return "seeds"
    if kind in ("test", "unit_test"):
        return "tests"
    folder = node.get("node_path", "").split("/")[0]
    return folder if kind == "model" and folder in MODEL_PHASES else ("models" if kind == "model" else None)


def error_message(event: dict) -> str | None:
    """The text of an error event, without colour codes and dbt's pointer to the macro."""
    info = event["info"]
    if info["level"] != "error" or info["name"] in STATUS_LINES:
        return None
    text = ANSI.sub("", info["msg"]).removeprefix("Encountered an error:\n")
    text = text.split("\n  \n  > in macro")[0]
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()) or None


def run_dbt(command: list[str], env: dict[str, str], cwd: Path, pass_fds: tuple[int, ...] = (),
            on_phase: Callable[[str], None] | None = None,
            on_line: Callable[[str], None] | None = None) -> DbtRun:
    """Runs `command` (dbt with JSON_ARGUMENTS), reporting each new phase to `on_phase` and each
    of dbt's lines to `on_line`. A dbt that dies without an error event gives its stderr's
    last line as the error."""
    run = DbtRun()
    with tempfile.TemporaryFile(mode="w+") as stderr:
        with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr,
                              text=True, pass_fds=pass_fds) as process:
            for line in process.stdout:
                _take(line, run, on_phase, on_line)
        run.returncode = process.returncode
        if run.returncode != 0 and not run.errors:
            stderr.seek(0)
            lines = [line.strip() for line in stderr if line.strip()]
            run.errors.append(lines[-1] if lines else f"dbt stopped (exit code {run.returncode})")
    return run


def _take(line: str, run: DbtRun, on_phase, on_line) -> None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return
    if on_line is not None and event["info"]["msg"]:
        on_line(ANSI.sub("", event["info"]["msg"]))
    node = event.get("data", {}).get("node_info") or {}
    phase = phase_of(node) if event["info"]["name"] == "LogStartLine" else None
    if phase and phase not in run.phases:
        run.phases.append(phase)
        if on_phase is not None:
            on_phase(phase)
    message = error_message(event)
    if message and message not in run.errors:
        run.errors.append(message)
