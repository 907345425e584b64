"""nn.save / nn.load: .npz round trips, and files that would run code or are malformed are refused."""
import pickle
import zipfile

import numpy as np
import pytest

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
