"""Save and load parameters as a `.npz` file (a zip of `.npy` arrays) without pickle:
loading a file never executes code, whoever wrote it.

    nn.save(model, "model.npz")               # or nn.save(model.state_dict(), ...)
    model.load_state_dict(nn.load("model.npz"))
"""
from __future__ import annotations

import os
import zipfile

import numpy as np

from autograd import Tensor


def save(module_or_state, path: str | os.PathLike) -> None:
    """Write a Module's state_dict (or a dict of name -> array/Tensor) to `path` as .npz."""
    state = module_or_state.state_dict() if hasattr(module_or_state, "state_dict") else module_or_state
    if not isinstance(state, dict):
        raise TypeError(f"nn.save: expected a Module or a dict of arrays, got {type(module_or_state).__name__}")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, value in state.items():
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if not isinstance(name, str) or array.dtype.kind not in "fiub":
                raise TypeError(
                    f"nn.save: entry {name!r} must be a str name with a numeric array, got "
                    f"{type(value).__name__} of dtype {array.dtype}"
                )
            with archive.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a file written by nn.save: a dict of name -> numpy array (pass it to
    model.load_state_dict). Pickled objects are refused, never unpickled."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not a set of named arrays")
        with archive:
            state = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(
            f"nn.load: {os.fspath(path)!r} is not a valid parameter file ({error}). It must be an .npz "
            "written by nn.save; files with pickled objects are refused because unpickling can run code."
        ) from None
    for name, array in state.items():
        if array.dtype.kind not in "fiub":
            raise ValueError(f"nn.load: entry {name!r} in {os.fspath(path)!r} has non-numeric dtype {array.dtype}")
    return state
