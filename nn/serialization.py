"""Save and load parameters as a `.npz` file (a zip of `.npy` arrays) without pickle:
loading a file never executes code, whoever wrote it.

    nn.save(model, "model.npz")               # or nn.save(model.state_dict(), ...)
    model.load_state_dict(nn.load("model.npz"))
"""
from __future__ import annotations

import math
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
    model.load_state_dict). Pickled objects are refused, never unpickled, and every member's
    header is checked against its stored size before anything is allocated."""
    try:
        with zipfile.ZipFile(path) as archive:
            state = {}
            for info in archive.infolist():
                _check_member(archive, info)
                with archive.open(info) as member:
                    state[info.filename[: -len(".npy")]] = np.lib.format.read_array(member, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(
            f"nn.load: {os.fspath(path)!r} is not a valid parameter file ({error}). It must be an .npz "
            "written by nn.save; files with pickled objects are refused because unpickling can run code."
        ) from None
    return state


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Raise ValueError unless the member is a .npy array of numbers whose header (shape and
    dtype) agrees with the number of bytes stored: a 100-byte member must not make us
    allocate terabytes."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"member {info.filename!r} is not a .npy array")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"member {info.filename!r} has unsupported .npy format version {version}")
        header_size = member.tell()
    if dtype.kind not in "fiub":
        raise ValueError(f"member {info.filename!r} has non-numeric dtype {dtype}")
    declared = math.prod(shape) * dtype.itemsize
    if declared != info.file_size - header_size:
        raise ValueError(
            f"member {info.filename!r} declares shape {shape} of {dtype} ({declared} bytes) "
            f"but stores {info.file_size - header_size} bytes"
        )
