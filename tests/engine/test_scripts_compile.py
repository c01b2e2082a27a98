"""Scripts outside the packages (benchmarks, packaging) are not imported by other tests: at least
make sure each one compiles, so a broken script shows up in CI and not on the day it is needed."""
import py_compile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted([*ROOT.glob("bench/*.py"), *ROOT.glob("packaging/*.py"), ROOT / "main.py"])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_compiles(script, tmp_path):
    py_compile.compile(str(script), cfile=str(tmp_path / "out.pyc"), doraise=True)
