"""nn.save / nn.load: .npz round trips, and files that would run code, are malformed, are not regular
files or inflate beyond the limit are refused."""
import io
import os
import pickle
import re
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor


def make_model():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3, dtype=np.float32))


def test_round_trip_of_a_module_and_of_a_state_dict(tmp_path):
    model = make_model()
    model(Tensor(np.random.default_rng(0).standard_normal((4, 1, 4, 4))))  # move the running statistics
    nn.save(model, tmp_path / "model.npz")
    loaded = nn.load(tmp_path / "model.npz")
    assert list(loaded) == list(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded[key], value)
        assert loaded[key].dtype == value.dtype
    fresh = make_model()
    fresh.load_state_dict(loaded)
    x = Tensor(np.ones((2, 1, 4, 4)))
    np.testing.assert_array_equal(fresh.eval()(x).data, model.eval()(x).data)
    nn.save({"w": Tensor(np.eye(2)), "n": np.array(3)}, tmp_path / "dict.npz")
    again = nn.load(str(tmp_path / "dict.npz"))
    np.testing.assert_array_equal(again["w"], np.eye(2))
    assert again["n"] == 3


def test_save_refuses_objects():
    with pytest.raises(TypeError, match="numeric array"):
        nn.save({"w": np.array([object()])}, "/dev/null")
    with pytest.raises(TypeError, match="Module or a dict"):
        nn.save([1, 2], "/dev/null")


class CreatesAFile:
    """Unpickling this object calls open(path, "w"): a harmless stand-in for arbitrary code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def write_npz_with_pickled_object(path, marker):
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("weight.npy", "w") as member:
            np.save(member, np.array([CreatesAFile(str(marker))], dtype=object), allow_pickle=True)


def test_pickled_object_array_is_refused_and_runs_no_code(tmp_path):
    marker = tmp_path / "pwned.txt"
    write_npz_with_pickled_object(tmp_path / "evil.npz", marker)
    with pytest.raises(ValueError, match="not a valid parameter file.*pickled"):
        nn.load(tmp_path / "evil.npz")
    assert not marker.exists()
    # the payload is real: numpy with allow_pickle=True would have created the file
    proof = tmp_path / "proof.txt"
    write_npz_with_pickled_object(tmp_path / "proof.npz", proof)
    with np.load(tmp_path / "proof.npz", allow_pickle=True) as archive:
        archive["weight"]
    assert proof.exists()


def test_plain_pickle_and_malformed_files_are_refused(tmp_path):
    marker = tmp_path / "pwned.txt"
    (tmp_path / "model.pkl").write_bytes(pickle.dumps({"w": CreatesAFile(str(marker))}))
    with pytest.raises(ValueError, match="not a valid parameter file"):
        nn.load(tmp_path / "model.pkl")
    assert not marker.exists()
    (tmp_path / "garbage.npz").write_bytes(b"PK\x03\x04 this is not really a zip file")
    (tmp_path / "empty.npz").write_bytes(b"")
    np.save(tmp_path / "single.npy", np.zeros(3))
    for name in ["garbage.npz", "empty.npz", "single.npy"]:
        with pytest.raises(ValueError, match="not a valid parameter file"):
            nn.load(tmp_path / name)
    good = tmp_path / "good.npz"
    nn.save({"w": np.arange(10.0)}, good)
    (tmp_path / "truncated.npz").write_bytes(good.read_bytes()[:-30])
    with pytest.raises(ValueError, match="not a valid parameter file"):
        nn.load(tmp_path / "truncated.npz")
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_members_that_are_not_npy_or_lie_about_their_shape_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "text.npz", "w") as archive:
        archive.writestr("x.txt", "hello")
    with pytest.raises(ValueError, match=r"not a valid parameter file.*'x.txt' is not a \.npy array"):
        nn.load(tmp_path / "text.npz")
    # a ~100-byte member whose header declares a (10**6, 10**6) float64 array (7 TiB)
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array_header_1_0(member, header)
            member.write(b"\0" * 16)
    with pytest.raises(ValueError, match=r"not a valid parameter file.*\(1000000, 1000000\).*stores 16 bytes"):
        nn.load(tmp_path / "huge.npz")
    with zipfile.ZipFile(tmp_path / "strings.npz", "w") as archive:
        with archive.open("s.npy", "w") as member:
            np.save(member, np.array(["a", "b"]))
    with pytest.raises(ValueError, match="non-numeric dtype"):
        nn.load(tmp_path / "strings.npz")


def test_loading_into_a_different_architecture_names_the_mismatch(tmp_path):
    nn.save(nn.Linear(3, 2), tmp_path / "small.npz")
    with pytest.raises(RuntimeError, match=r"size mismatch for 'weight'.*\(4, 3\).*\(2, 3\)"):
        nn.Linear(3, 4).load_state_dict(nn.load(tmp_path / "small.npz"))


# ----- hostile files (issue #13, item 4) ---------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


def write_zip_bomb(path, inflated_mib: int) -> None:
    """A valid .npz whose one member is a float64 array of about `inflated_mib` MiB of zeros, deflated
    (about 1 KB per MiB). Built without compressing it all: after a full flush, deflate encodes the
    same 1 MiB of zeros as the same bytes, so one encoded MiB is repeated."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (inflated_mib * 2**20 // 8,)})
    head, zeros = header.getvalue(), bytes(2**20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as in a zip member
    data = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    data += (deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)) * inflated_mib + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mib):
        crc = zlib.crc32(zeros, crc)
    name, size = b"w.npy", len(head) + inflated_mib * 2**20
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name),
                          0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    Path(path).write_bytes(local + data + central + end)


def load_in_child(path, *args, timeout: float = 60) -> str:
    """'ErrorType: message' (or 'loaded') from nn.load(path, *args) run in a child process limited
    to 1 GiB of address space and `timeout` seconds: a loader that blocks on a FIFO, reads
    /dev/zero forever or inflates a bomb fails the test instead of hanging or exhausting the machine."""
    code = (
        "import sys, tracemalloc, nn\n"
        "tracemalloc.start()\n"
        "try:\n"
        f"    nn.load(sys.argv[1], {', '.join(map(repr, args))})\n"
        "    print('loaded')\n"
        "except BaseException as error:\n"
        "    print(type(error).__name__ + ': ' + str(error))\n"
        "print('peak', tracemalloc.get_traced_memory()[1])\n"
    )

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                            timeout=timeout, cwd=ROOT, env=env, preexec_fn=limit_memory, check=False)
    outcome, peak = result.stdout.strip().rsplit("\n", 1)
    assert int(peak.split()[1]) < 2**24, f"nn.load allocated {peak.split()[1]} bytes before refusing"
    return outcome


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    write_zip_bomb(tmp_path / "bomb.npz", 2048)  # 2 MB on disk, 2 GiB once inflated
    assert (tmp_path / "bomb.npz").stat().st_size < 3 * 2**20
    outcome = load_in_child(tmp_path / "bomb.npz")
    assert re.match(r"LoadError: .* its arrays would take 2,147,48\d,\d{3} bytes once decompressed", outcome)
    assert "more than the limit of 1,073,741,824 bytes" in outcome and "max_bytes=3 * 2**30" in outcome


def test_max_bytes_sets_the_decompression_limit(tmp_path):
    write_zip_bomb(tmp_path / "zeros.npz", 8)  # a real, valid file: 8 MiB of zeros
    assert nn.serialization.DEFAULT_MAX_BYTES == 2**30
    with pytest.raises(nn.LoadError, match=r"8,388,\d{3} bytes.*limit of 1,048,576 bytes.*max_bytes=9 \* 2\*\*20"):
        nn.load(tmp_path / "zeros.npz", max_bytes=2**20)
    loaded = nn.load(tmp_path / "zeros.npz", max_bytes=9 * 2**20)
    assert loaded["w"].shape == (2**20,) and not loaded["w"].any()
    with pytest.raises(TypeError, match="max_bytes"):
        nn.load(tmp_path / "zeros.npz", max_bytes=-1)


def test_a_member_whose_stored_data_is_damaged_is_refused(tmp_path):
    values = np.random.default_rng(0).standard_normal(1000)
    nn.save({"w": values}, tmp_path / "model.npz")
    data = bytearray((tmp_path / "model.npz").read_bytes())
    data[data.index(values[500].tobytes())] ^= 0xFF  # one byte of the array: the checksum no longer matches
    (tmp_path / "damaged.npz").write_bytes(bytes(data))
    with pytest.raises(nn.LoadError, match="not a valid parameter file.*Bad CRC-32"):
        nn.load(tmp_path / "damaged.npz")


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "fifo", "directory"])
def test_anything_but_a_regular_file_is_refused_without_reading_it(tmp_path, kind):
    path = tmp_path / "model.npz"
    if kind == "symlink to /dev/zero":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero here")
        path.symlink_to("/dev/zero")
        expected = "is a device, not a regular file"
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        os.mkfifo(path)
        expected = r"is a FIFO \(named pipe\), not a regular file"
    else:
        path.mkdir()
        expected = "is a directory, not a regular file"
    assert re.fullmatch(f"LoadError: nn.load: '{re.escape(str(path))}' {expected}; only .npz files .*",
                        load_in_child(path, timeout=30))


def test_a_symlink_to_a_regular_file_loads(tmp_path):
    nn.save({"w": np.arange(3.0)}, tmp_path / "epoch3.npz")
    (tmp_path / "latest.npz").symlink_to(tmp_path / "epoch3.npz")
    np.testing.assert_array_equal(nn.load(tmp_path / "latest.npz")["w"], np.arange(3.0))


def member_with_header(header_text: bytes, data: bytes = b"\0" * 24) -> bytes:
    """A .npy file (version 1.0) with the given header text, padded as numpy pads it."""
    header_text += b" " * (-(len(header_text) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header_text)) + header_text + data


@pytest.mark.parametrize("header, message", [
    (b"{'descr': '<f8', 'shape': (3,", "malformed .npy header"),  # tokenize.TokenError inside numpy
    (b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}", "malformed .npy header"),
    (b"[1, 2, 3]", "malformed .npy header"),
    (b"{'descr': 'nonsense', 'fortran_order': False, 'shape': (3,)}", "malformed .npy header"),
    (b"{'descr': '<f8', 'fortran_order': False, 'shape': (-1, -3)}", "negative dimension"),
    (b"{'descr': '<f8', 'fortran_order': False, 'shape': (" + b"(" * 2000 + b")" * 2000 + b",)}",
     "malformed .npy header"),
    (b"{'descr': 'O', 'fortran_order': False, 'shape': (3,)}", "non-numeric dtype object"),
])
def test_malformed_headers_raise_one_documented_error(tmp_path, header, message):
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as archive:
        archive.writestr("w.npy", member_with_header(header))
    with pytest.raises(nn.LoadError, match=f"not a valid parameter file.*{message}"):
        nn.load(tmp_path / "bad.npz")


def test_a_header_length_beyond_the_member_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "long.npz", "w") as archive:  # version 2.0: a 4-byte header length
        archive.writestr("w.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{" * 100)
    with pytest.raises(nn.LoadError, match="malformed .npy header"):
        nn.load(tmp_path / "long.npz")


def test_fortran_order_and_duplicate_members(tmp_path):
    matrix = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    with zipfile.ZipFile(tmp_path / "fortran.npz", "w") as archive:
        with archive.open("m.npy", "w") as member:
            np.lib.format.write_array(member, matrix)
    np.testing.assert_array_equal(nn.load(tmp_path / "fortran.npz")["m"], matrix)
    member = member_with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}")
    with zipfile.ZipFile(tmp_path / "twice.npz", "w") as archive:
        archive.writestr("w.npy", member)
        with pytest.warns(UserWarning, match="Duplicate"):
            archive.writestr("w.npy", member)
    with pytest.raises(nn.LoadError, match="'w.npy' appears more than once"):
        nn.load(tmp_path / "twice.npz")


def test_load_state_dict_given_a_path_says_how_to_load_a_file(tmp_path):
    nn.save(nn.Linear(2, 2), tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"got str.*model.load_state_dict\(nn.load\(path\)\)"):
        nn.Linear(2, 2).load_state_dict(str(tmp_path / "m.npz"))
    with pytest.raises(TypeError, match="got PosixPath|got WindowsPath"):
        nn.Linear(2, 2).load_state_dict(tmp_path / "m.npz")


@settings(max_examples=int(os.environ.get("CHALKGRAD_EXAMPLES", "40")), deadline=None, database=None)
@given(data=st.data())
def test_any_damage_to_a_file_gives_a_load_error_or_a_clean_load(tmp_path_factory, data):
    """Property: whatever bytes are changed or cut, nn.load returns arrays of numbers or raises LoadError."""
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    nn.save({"w": np.arange(6.0).reshape(2, 3), "b": np.ones(2, np.float32)}, path)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path.write_bytes(bytes(raw))
    try:
        loaded = nn.load(path)
    except nn.LoadError:
        return
    assert all(isinstance(v, np.ndarray) and v.dtype.kind in "fiub" for v in loaded.values())
