"""nn.data: batches, splits, scaling, one-hot, toy datasets, augmentation."""
from functools import partial

import numpy as np
import pytest

from nn.data import (
    Compose, DataLoader, Mixup, StandardScaler, batches, color_jitter, cutout, load_digits, make_linear_regression,
    make_logistic_regression, make_moons, make_spirals, make_xor, mixup, one_hot, random_crop,
    random_horizontal_flip, train_val_test_split,
)


# ----- batches ----------------------------------------------------------------------------------
def test_batches_cover_every_sample_once_per_epoch():
    X, y = np.arange(23)[:, None] * 1.0, np.arange(23)
    seen = [yb for _, yb in batches(X, y, batch_size=5, seed=0)]
    assert [len(b) for b in seen] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(seen).tolist()) == list(range(23))
    for xb, yb in batches(X, y, batch_size=5, seed=0):
        assert np.array_equal(xb[:, 0], yb)  # rows stay paired with their labels


def test_batches_shuffle_is_seeded():
    X = np.arange(50)
    first = np.concatenate(list(batches(X, batch_size=8, seed=3)))
    again = np.concatenate(list(batches(X, batch_size=8, seed=3)))
    other = np.concatenate(list(batches(X, batch_size=8, seed=4)))
    in_order = np.concatenate(list(batches(X, batch_size=8, shuffle=False)))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, X)
    assert np.array_equal(in_order, X)


def test_batches_drop_last():
    sizes = [len(b) for b in batches(np.zeros((23, 2)), batch_size=5, drop_last=True, seed=0)]
    assert sizes == [5, 5, 5, 5]


def test_dataloader_reiterates_with_new_reproducible_orders():
    X, y = np.arange(10.0), np.arange(10)
    loader, twin = DataLoader(X, y, batch_size=4, seed=1), DataLoader(X, y, batch_size=4, seed=1)
    assert len(loader) == 3 and len(DataLoader(X, y, batch_size=4, drop_last=True)) == 2
    epoch1 = np.concatenate([yb for _, yb in loader])
    epoch2 = np.concatenate([yb for _, yb in loader])
    assert sorted(epoch1.tolist()) == sorted(epoch2.tolist()) == list(range(10))
    assert not np.array_equal(epoch1, epoch2)
    assert np.array_equal(epoch1, np.concatenate([yb for _, yb in twin]))


def test_batches_errors_are_clear():
    with pytest.raises(ValueError, match=r"same number of samples.*\(5, 2\).*\(4,\)"):
        list(batches(np.zeros((5, 2)), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        list(batches(np.zeros(5), batch_size=0))


# ----- splits -----------------------------------------------------------------------------------
def test_split_is_disjoint_and_complete():
    X, y = np.arange(101)[:, None] * 10.0, np.arange(101)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(X, y, (0.8, 0.1, 0.1), seed=0)
    assert (len(ytr), len(yva), len(yte)) == (81, 10, 10)
    together = np.concatenate([ytr, yva, yte])
    assert sorted(together.tolist()) == list(range(101))  # complete, and no sample twice
    assert np.array_equal(Xtr[:, 0], ytr * 10.0)  # X rows travel with their labels
    assert not np.array_equal(ytr, np.sort(ytr))  # shuffled
    (_, again), _, _ = train_val_test_split(X, y, seed=0)
    assert np.array_equal(again, ytr)


def test_split_two_fractions_and_no_labels():
    train, test = train_val_test_split(np.arange(10), fractions=(0.7, 0.3), seed=1)
    assert len(train) == 7 and len(test) == 3 and set(train) | set(test) == set(range(10))


def test_split_errors():
    with pytest.raises(ValueError, match="summing to 1"):
        train_val_test_split(np.arange(10), fractions=(0.5, 0.2))
    with pytest.raises(ValueError, match="too few"):
        train_val_test_split(np.arange(3), fractions=(0.8, 0.1, 0.1))


# ----- scaling ----------------------------------------------------------------------------------
def test_scaler_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal([10.0, -3.0], [2.0, 0.5], size=(200, 2))
    X_test = rng.normal([50.0, 7.0], [9.0, 4.0], size=(30, 2))
    scaler = StandardScaler().fit(X_train)
    np.testing.assert_allclose(scaler.mean_, X_train.mean(0))
    np.testing.assert_allclose(scaler.scale_, X_train.std(0))
    Z = scaler.transform(X_train)
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(0), 1)
    np.testing.assert_allclose(scaler.transform(X_test), (X_test - X_train.mean(0)) / X_train.std(0))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X_test)), X_test)


def test_scaler_zero_variance_feature_is_only_centred():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    assert np.all(np.isfinite(Z))
    assert scaler.scale_[1] == 1.0 and np.allclose(Z[:, 1], 0)
    X = np.full((4, 1), 0.1)  # mean 0.1 has a rounding error: the std is ~1e-17, not 0
    assert StandardScaler().fit(X).scale_[0] == 1.0


def test_scaler_per_channel_and_errors():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(8, 3, 4, 4)).astype(np.float32)
    scaler = StandardScaler(axis=(0, 2, 3)).fit(x)
    z = scaler.transform(x)
    assert scaler.mean_.shape == (3, 1, 1) and z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    with pytest.raises(RuntimeError, match="fit"):
        StandardScaler().transform(x)
    with pytest.raises(ValueError, match=r"shape \(8, 3\).*\(\*, 2\)"):
        StandardScaler().fit(np.ones((5, 2))).transform(np.ones((8, 3)))


# ----- one-hot ----------------------------------------------------------------------------------
def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 4), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert one_hot(np.array([[1, 0]]), 2).shape == (1, 2, 2)
    assert one_hot([0, 2]).shape == (2, 3)
    with pytest.raises(ValueError, match="0..2"):
        one_hot([0, 3], 3)
    with pytest.raises(TypeError, match="integer"):
        one_hot([0.5, 1.0], 2)


# ----- toy datasets -----------------------------------------------------------------------------
@pytest.mark.parametrize("make, classes", [
    (partial(make_moons, 101), 2),
    (partial(make_spirals, 101, n_classes=4), 4),
    (partial(make_xor, 101, noise=0.1), 2),
    (partial(make_logistic_regression, 101), 2),
])
def test_toy_classification_sets(make, classes):
    X, y = make(seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(y.tolist()) == set(range(classes))
    X2, y2 = make(seed=0)
    X3, _ = make(seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, X3)


def test_moons_and_spirals_are_balanced():
    assert np.bincount(make_moons(200)[1]).tolist() == [100, 100]
    assert np.bincount(make_spirals(301, n_classes=3)[1]).tolist() == [101, 100, 100]


def test_xor_truth_table():
    X, y = make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_linear_regression_recovers_slope_and_intercept():
    X, y = make_linear_regression(2000, slope=3.0, intercept=40.0, noise=10.0, seed=0)
    assert X.shape == (2000, 1) and y.shape == (2000,)
    assert 30 <= X.min() and X.max() <= 200
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    assert slope == pytest.approx(3.0, abs=0.05) and intercept == pytest.approx(40.0, abs=3.0)


def test_logistic_regression_follows_its_weights():
    X, y = make_logistic_regression(4000, weights=[4.0, 0.0], seed=0)
    assert (y[X[:, 0] > 1] == 1).mean() > 0.95 and (y[X[:, 0] < -1] == 0).mean() > 0.95
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        make_logistic_regression(n_features=3, weights=[1.0, 2.0])


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64 and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and set(y.tolist()) == set(range(10))
    assert load_digits(dtype=np.float32)[0].dtype == np.float32


def test_load_digits_without_sklearn_gives_advice(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_digits()


# ----- augmentation -----------------------------------------------------------------------------
@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(size=(6, 3, 8, 8))


def test_flip_is_its_own_inverse(images):
    flipped = random_horizontal_flip(images, p=1.0)
    np.testing.assert_array_equal(flipped, images[..., ::-1])
    np.testing.assert_array_equal(random_horizontal_flip(flipped, p=1.0), images)
    np.testing.assert_array_equal(random_horizontal_flip(images, p=0.0), images)
    some = random_horizontal_flip(images, p=0.5, seed=1)
    for out, img in zip(some, images):  # each image is either untouched or mirrored
        assert np.array_equal(out, img) or np.array_equal(out, img[..., ::-1])


def test_random_crop_keeps_shape_and_shifts_content(images):
    out = random_crop(images, padding=2, seed=0)
    assert out.shape == images.shape
    for crop, img in zip(out, images):  # every crop is the image shifted by (dy, dx) in [-2, 2]
        padded = np.pad(img, ((0, 0), (2, 2), (2, 2)))
        windows = [padded[:, top:top + 8, left:left + 8] for top in range(5) for left in range(5)]
        assert any(np.array_equal(crop, w) for w in windows)
    np.testing.assert_array_equal(random_crop(images, padding=0), images)
    np.testing.assert_array_equal(out, random_crop(images, padding=2, seed=0))


def test_cutout_zeroes_one_square(images):
    out = cutout(images + 1.0, size=3, seed=0)  # +1: no zeros before cutout
    for img in out:
        rows, cols = np.nonzero((img == 0).all(axis=0))
        assert len(rows) == 9 and np.ptp(rows) == 2 and np.ptp(cols) == 2
        assert np.all(img[:, rows, cols] == 0)
    assert (images + 1.0).min() > 0  # the input was not modified
    with pytest.raises(ValueError, match="between 1 and 8"):
        cutout(images, size=9)


def test_mixup_targets_are_probabilities(images):
    y = one_hot([0, 1, 2, 3, 0, 1], 4)
    x_mix, y_mix = mixup(images, y, alpha=1.0, seed=0)
    assert x_mix.shape == images.shape and y_mix.shape == y.shape
    np.testing.assert_allclose(y_mix.sum(axis=1), 1.0)
    # same blend for inputs and targets: x' = lam x + (1 - lam) x[perm]
    rng = np.random.default_rng(0)
    lam, perm = rng.beta(1.0, 1.0), rng.permutation(6)
    np.testing.assert_allclose(x_mix, lam * images + (1 - lam) * images[perm])
    np.testing.assert_allclose(y_mix, lam * y + (1 - lam) * y[perm])
    with pytest.raises(ValueError, match="one_hot"):
        mixup(images, np.array([0, 1, 2, 3, 0, 1]))


def test_mixup_transform_one_hot_encodes_class_indices(images):
    x_mix, y_mix = Mixup(num_classes=5, alpha=0.4, seed=3)(images, np.array([0, 1, 2, 3, 4, 0]))
    x_ref, y_ref = mixup(images, one_hot([0, 1, 2, 3, 4, 0], 5), alpha=0.4, seed=3)
    np.testing.assert_array_equal(x_mix, x_ref)
    np.testing.assert_array_equal(y_mix, y_ref)
    assert y_mix.shape == (6, 5) and np.allclose(y_mix.sum(1), 1)


def test_color_jitter(images):
    np.testing.assert_allclose(color_jitter(images, brightness=0.0, contrast=0.0), images)
    out = color_jitter(images.astype(np.float32), brightness=0.5, contrast=0.0, seed=0)
    ratios = out / images.astype(np.float32)  # pure brightness: one factor per image
    assert out.dtype == np.float32
    for r in ratios:
        assert np.allclose(r, r.flat[0], rtol=1e-5) and 0.5 <= r.flat[0] <= 1.5
    contrast = color_jitter(images, brightness=0.0, contrast=0.5, seed=0)
    np.testing.assert_allclose(contrast.mean(axis=(1, 2, 3)), images.mean(axis=(1, 2, 3)))  # mean kept


def test_compose_chains_with_one_seed(images):
    augment = Compose([partial(random_horizontal_flip, p=1.0), partial(random_crop, padding=0)], seed=0)
    np.testing.assert_array_equal(augment(images), images[..., ::-1])
    a = Compose([random_horizontal_flip, partial(cutout, size=2)], seed=5)
    b = Compose([random_horizontal_flip, partial(cutout, size=2)], seed=5)
    np.testing.assert_array_equal(a(images), b(images))
    assert repr(a) == "Compose([random_horizontal_flip, cutout(size=2)])"


def test_augmentation_wants_image_batches():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(8, 8\)"):
        random_horizontal_flip(np.zeros((8, 8)))
