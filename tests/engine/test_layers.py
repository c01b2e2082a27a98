"""The layer rule: engine/ never imports Qt or app/ (napari's rule, here checked by reading the sources)."""
import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = {"PySide6", "shiboken6", "app", "pytestqt"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_has_no_qt_or_app_imports():
    offenders = {
        str(p.relative_to(ENGINE.parent)): sorted(imported_roots(p) & FORBIDDEN)
        for p in ENGINE.rglob("*.py") if imported_roots(p) & FORBIDDEN
    }
    assert offenders == {}


def test_rule_check_catches_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport app.main_window\n")
    assert imported_roots(bad) & FORBIDDEN == {"PySide6", "app"}
