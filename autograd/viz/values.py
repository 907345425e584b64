"""Values as a student reads them: a number, or a small matrix with its shape, elided with ⋯.

    grid(np.arange(12.).reshape(3, 4), fmt)  ->  {"rows": [["0", "1", "2", "3"], ...], "note": ""}

A 1-d vector is one row; for more than two dimensions the first matrix (index 0 in every
leading dimension) is shown and the note says which ("[0, 0, :, :] of 8×4×6×6"). Beyond
`max_rows` × `max_cols` the middle rows and columns become ⋯.
"""
from __future__ import annotations

import numpy as np

from autograd.viz.graph import shape_text

ELLIPSIS_ROW, ELLIPSIS_COL = "⋮", "⋯"


def _keep(n: int, most: int) -> list:
    """Which indices of n to show: all, or the first ones, None (the ⋯), and the last ones."""
    if n <= most:
        return list(range(n))
    head = (most - 1) - (most - 1) // 3
    tail = most - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def matrix_of(array: np.ndarray) -> tuple:
    """(the 2-d matrix shown, a note saying which part of the array it is)."""
    if array.ndim == 0:
        return array.reshape(1, 1), ""
    if array.ndim == 1:
        return array.reshape(1, -1), ""
    if array.ndim == 2:
        return array, ""
    lead = array.shape[:-2]
    count = int(np.prod(lead))
    index = "[" + ", ".join(["0"] * len(lead)) + ", :, :]"
    return array[(0,) * len(lead)], f"{index} of {shape_text(array.shape)}, 1 of {count} matrices"


def grid(array, fmt, max_rows: int = 6, max_cols: int = 6) -> dict:
    """{'rows': cells as text (⋯ / ⋮ where elided), 'note': which part, 'index': [(i, j) of each cell or None]}."""
    array = np.asarray(array)
    matrix, note = matrix_of(array)
    rows = _keep(matrix.shape[0], max_rows)
    cols = _keep(matrix.shape[1], max_cols)
    cells = []
    for i in rows:
        if i is None:
            cells.append([ELLIPSIS_ROW if j is not None else "⋱" for j in cols])
            continue
        cells.append([ELLIPSIS_COL if j is None else fmt(matrix[i, j]) for j in cols])
    return {"rows": cells, "note": note}
