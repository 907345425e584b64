"""Every lecture notebook runs top to bottom in a fresh kernel, and every figure cell draws a figure.

Notebooks are found with the glob notebooks/*.ipynb, so a new notebook is tested without editing this
file. Each one is executed on a copy in a temporary folder (nothing is written into the repository);
cells tagged "figure" (cell metadata.tags) must produce an image/png or image/svg+xml output, cells
tagged "stepper" the interactive step page (an iframe holding the self-contained page).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
IMAGE_TYPES = ("image/png", "image/svg+xml")
CELL_TIMEOUT = 300  # seconds


def _figure_cells(notebook) -> list[tuple[int, object]]:
    return [(i, cell) for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and "figure" in cell.get("metadata", {}).get("tags", [])]


def _has_stepper(cell) -> bool:
    return any(output.get("output_type") in ("display_data", "execute_result")
               and output.get("data", {}).get("text/html", "").startswith('<iframe class="chalkgrad-steps" srcdoc="')
               and "Content-Security-Policy" in output["data"]["text/html"]
               for output in cell.get("outputs", []))


def _has_image(cell) -> bool:
    return any(output.get("output_type") in ("display_data", "execute_result")
               and any(kind in output.get("data", {}) for kind in IMAGE_TYPES)
               for output in cell.get("outputs", []))


def _kernel_env(tmp_path: Path) -> dict:
    """Run the kernel with this interpreter's environment; matplotlib writes its cache to tmp."""
    import os
    env = dict(os.environ)
    env.setdefault("MPLCONFIGDIR", str(tmp_path / "mpl"))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def test_notebooks_are_found():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_draws_its_figures(path: Path, tmp_path: Path):
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    copy = workdir / path.name
    shutil.copy(path, copy)
    notebook = nbformat.read(copy, as_version=4)
    for cell in notebook.cells:  # judge the fresh run, not the committed outputs
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=CELL_TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute(env=_kernel_env(tmp_path))
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell raised an error:\n{error}", pytrace=False)

    missing = [f"cell {i}: {cell.source.splitlines()[0] if cell.source else ''}"
               for i, cell in _figure_cells(notebook) if not _has_image(cell)]
    assert not missing, f"{path.name}: figure cells without an image output:\n" + "\n".join(missing)
    steppers = [i for i, cell in enumerate(notebook.cells) if "stepper" in cell.get("metadata", {}).get("tags", [])]
    assert all(_has_stepper(notebook.cells[i]) for i in steppers), f"{path.name}: a stepper cell shows no step page"
