"""Data for training: mini-batches, splits, scaling, one-hot, toy datasets and image augmentation.

Everything here is plain numpy: functions take and return numpy arrays (a Tensor passed in is
read through `np.asarray`), and the training loop turns a batch into a Tensor when it calls the
model. Randomness always comes from a seeded `np.random.Generator`: every function that draws
random numbers takes `seed=` (an int, a Generator, or None for fresh entropy), so lecture results
are reproducible.

    X, y = make_moons(200, noise=0.1, seed=0)
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    for xb, yb in batches(scaler.transform(X_train), y_train, batch_size=32, seed=0):
        ...
"""
from nn.data.augment import (
                              Compose,
                              Mixup,
                              color_jitter,
                              cutout,
                              mixup,
                              random_crop,
                              random_horizontal_flip,
)
from nn.data.batching import (
                              DataLoader,
                              StandardScaler,
                              batches,
                              one_hot,
                              train_val_test_split,
)
from nn.data.datasets import (
                              load_digits,
                              make_linear_regression,
                              make_logistic_regression,
                              make_moons,
                              make_spirals,
                              make_xor,
)

__all__ = [
    "batches", "DataLoader", "train_val_test_split", "StandardScaler", "one_hot",
    "make_moons", "make_spirals", "make_xor", "make_linear_regression", "make_logistic_regression",
    "load_digits",
    "random_horizontal_flip", "random_crop", "cutout", "color_jitter", "mixup", "Mixup", "Compose",
]
