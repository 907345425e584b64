"""The linter's rules (pyproject.toml, [tool.ruff]) hold for the whole repository."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if importlib.util.find_spec("ruff") is None:
    pytest.skip("needs ruff (pip install -e '.[test]')", allow_module_level=True)


def ruff_check(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_code_base_passes_ruff():
    result = ruff_check()
    assert result.returncode == 0, f"ruff check found problems (fix them, or see [tool.ruff]):\n{result.stdout}"


def test_ruff_uses_the_projects_rules(tmp_path):
    """The same configuration rejects an unused import, a late-bound loop variable and a 151-character line."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nfns = []\nfor i in range(3):\n    fns.append(lambda: i)\n"
                   f"x = '{'a' * 145}'\n")
    result = ruff_check("--config", str(ROOT / "pyproject.toml"), str(bad), cwd=tmp_path)
    assert result.returncode == 1
    for code in ("F401", "B023", "E501"):
        assert code in result.stdout, result.stdout
