"""Save and load parameters as a `.npz` file (a zip of `.npy` arrays) without pickle:
loading a file never executes code, whoever wrote it.

    nn.save(model, "model.npz")               # or nn.save(model.state_dict(), ...)
    model.load_state_dict(nn.load("model.npz"))

What nn.load refuses, with a LoadError (a ValueError), before it allocates or reads much:
- a path to anything but a regular file (a directory, a FIFO, a device such as /dev/zero,
  a socket; also behind a symlink): it is not opened at all, so a FIFO cannot block;
- members that are not numeric .npy arrays (pickled objects, strings, other files);
- headers that do not parse, or whose shape and dtype disagree with the bytes stored;
- more than `max_bytes` of arrays in total (DEFAULT_MAX_BYTES, 1 GiB), however well the file
  compresses: a 2 MB zip bomb cannot become a 2 GB array. Pass max_bytes= to allow more.
A missing file raises FileNotFoundError, an unreadable one PermissionError, as open() does.
"""
from __future__ import annotations

import io
import math
import os
import stat
import zipfile
import zlib

import numpy as np

from autograd import Tensor

DEFAULT_MAX_BYTES = 2**30  # nn.load's default limit on the total size of the arrays (1 GiB)
_HEADER_BYTES = 16 * 1024  # magic, length and header of any array nn.save (or numpy) writes fit in this
_CHUNK = 2**20  # array data is read 1 MiB at a time


class LoadError(ValueError):
    """nn.load refused a file: it is not a parameter file written by nn.save, is damaged, or
    holds more array data than the limit allows. The message says which and what to do."""


class _Invalid(Exception):
    """A member of the archive is not what nn.save writes (reported as a LoadError by load)."""


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


def load(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, np.ndarray]:
    """Read a file written by nn.save: a dict of name -> numpy array (pass it to
    model.load_state_dict). Pickled objects are refused, never unpickled; the arrays may hold
    at most `max_bytes` bytes in total (1 GiB by default), checked before anything is
    allocated. Everything refused raises LoadError (see the module docstring)."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
        raise TypeError(f"nn.load: max_bytes must be a number of bytes >= 0, got {max_bytes!r}")
    name = os.fspath(path)
    with _open_regular_file(name) as file:
        try:
            with zipfile.ZipFile(file) as archive:
                members = archive.infolist()
                _check_members(members)
                _check_total(members, max_bytes, name)
                return {info.filename[: -len(".npy")]: _read_member(archive, info) for info in members}
        except LoadError:
            raise
        except (_Invalid, ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError,
                RuntimeError) as error:  # the last five: what zipfile raises on damaged or encrypted archives
            raise LoadError(
                f"nn.load: {name!r} is not a valid parameter file ({error}). It must be an .npz "
                "written by nn.save; files with pickled objects are refused because unpickling can run code."
            ) from None


def _open_regular_file(name: str):
    """Open `name` for reading if it is a regular file (a symlink to one is fine), else raise
    LoadError. The kind is checked before opening (opening a FIFO blocks, reading /dev/zero never
    ends) and again on the open descriptor, in case the path was swapped in between."""
    mode = os.stat(name).st_mode
    if not stat.S_ISREG(mode):
        raise LoadError(_not_a_file(name, mode))
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise LoadError(_not_a_file(name, mode))
    return os.fdopen(fd, "rb")


def _not_a_file(name: str, mode: int) -> str:
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    kind = next((text for test, text in kinds if test(mode)), "not a regular file")
    return f"nn.load: {name!r} is {kind}, not a regular file; only .npz files written by nn.save can be loaded."


def _check_members(members: list) -> None:
    """Every member a .npy file, and no name twice."""
    seen = set()
    for info in members:
        if not info.filename.endswith(".npy"):
            raise _Invalid(f"member {info.filename!r} is not a .npy array")
        if info.filename in seen:
            raise _Invalid(f"member {info.filename!r} appears more than once")
        seen.add(info.filename)


def _check_total(members: list, max_bytes: int, name: str) -> None:
    """The sizes the archive declares, within the limit: zipfile never inflates a member beyond
    its declared size, so this bounds everything read and allocated."""
    total = sum(info.file_size for info in members)
    if total > max_bytes:
        raise LoadError(
            f"nn.load: {name!r} was refused: its arrays would take {total:,} bytes once decompressed, more "
            f"than the limit of {max_bytes:,} bytes. If you trust the file, raise the limit: "
            f"nn.load(path, max_bytes={_round_up(total)})."
        )


def _round_up(n: int) -> str:
    """A readable limit at least n: 3 * 2**30 for 2.5 GiB."""
    for unit, text in ((2**30, "2**30"), (2**20, "2**20")):
        if n > unit:
            return f"{-(-n // unit)} * {text}"
    return str(n)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One .npy member as an array: the header is parsed from its first bytes and checked (a
    number dtype, a shape whose size matches the bytes stored), then the data is read in chunks
    straight into the array."""
    with archive.open(info) as member:
        head = member.read(min(info.file_size, _HEADER_BYTES))
        shape, fortran_order, dtype, header_size = _parse_header(head, info.filename)
        if dtype.kind not in "fiub":
            raise _Invalid(f"member {info.filename!r} has non-numeric dtype {dtype}")
        if any(n < 0 for n in shape):
            raise _Invalid(f"member {info.filename!r} declares a negative dimension in shape {shape}")
        declared, stored = math.prod(shape) * dtype.itemsize, info.file_size - header_size
        if declared != stored:
            raise _Invalid(
                f"member {info.filename!r} declares shape {shape} of {dtype} ({declared} bytes) "
                f"but stores {stored} bytes"
            )
        array = np.empty(math.prod(shape), dtype=dtype)
        buffer = array.view(np.uint8)
        filled = len(head) - header_size
        buffer[:filled] = np.frombuffer(head, np.uint8, offset=header_size)
        while filled < declared:
            chunk = member.read(min(_CHUNK, declared - filled))
            if not chunk:
                raise _Invalid(f"member {info.filename!r} ends after {filled} of its {declared} bytes")
            buffer[filled : filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
            filled += len(chunk)
        member.read(1)  # at the end zipfile compares the checksum (BadZipFile if the data is damaged)
    if fortran_order:
        return array.reshape(shape[::-1]).transpose()
    return array.reshape(shape)


def _parse_header(head: bytes, name: str):
    """(shape, fortran_order, dtype, header size) from the start of a .npy file."""
    stream = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise _Invalid(f"member {name!r} has unsupported .npy format version {version}")
    except _Invalid:
        raise
    except Exception as error:  # noqa: BLE001 - numpy's header parser raises many kinds (TokenError, SyntaxError...)
        raise _Invalid(f"member {name!r} has a malformed .npy header ({type(error).__name__}: {error})") from None
    return shape, fortran_order, dtype, stream.tell()
