"""The Python layer's shape (docs/architecture.md): each package imports only from its own layer
or below, and only the CLI prints."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analysis_py"
# the flow, bottom up: a module may import from its own layer or a lower one, never upward
LAYERS = {"errors": 0, "project": 0, "input_contract": 0, "warehouse": 1, "study": 2, "simulation": 3, "sdtm": 3,
          "outputs": 4, "cli": 5}


def layer(module: str) -> str:
    """`analysis_py.study.survival` -> `study`."""
    return module.split(".")[1]


def imports(path: Path) -> list[str]:
    """The analysis_py modules that `path` imports, at the top or inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis_py."):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("analysis_py.")]
    return found


def modules() -> dict[str, Path]:
    return {".".join(("analysis_py", *path.relative_to(PACKAGE).with_suffix("").parts)): path
            for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"}


def test_every_module_belongs_to_a_layer():
    assert {layer(name) for name in modules()} <= set(LAYERS)


def test_no_module_imports_upward():
    upward = [f"{name} imports {target}" for name, path in modules().items() for target in imports(path)
              if LAYERS[layer(target)] > LAYERS[layer(name)]]
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "tables.py"
    module.write_text("def f():\n    from analysis_py.outputs.report import write_report\n")
    assert [LAYERS[layer(target)] > LAYERS["study"] for target in imports(module)] == [True]


def printing_calls(path: Path) -> list[str]:
    """Calls that write to the terminal: print(), typer.echo/secho, sys.stdout/stderr.write."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            text = ast.unparse(node.func)
            if text in ("print", "typer.echo", "typer.secho", "sys.stdout.write", "sys.stderr.write"):
                calls.append(f"{path.name}:{node.lineno} {text}")
    return calls


def test_only_the_cli_prints():
    assert [call for name, path in modules().items() if name != "analysis_py.cli"
            for call in printing_calls(path)] == []
    assert printing_calls(PACKAGE / "cli.py")  # the check finds the CLI's own output
