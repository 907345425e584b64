"""Data augmentation for image batches (N, C, H, W): flips, random crops, cutout, colour jitter, mixup."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from nn.data.batching import Seed, one_hot


# ----- image augmentation: batches of shape (N, C, H, W) --------------------------------------
def _check_images(where: str, x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{where}: expected a batch of images of shape (N, C, H, W), got shape {x.shape}.")
    return x


def random_horizontal_flip(x, p: float = 0.5, seed: Seed = None) -> np.ndarray:
    """Mirror each image left-right with probability p (p=1 flips all; flipping twice is the identity)."""
    x = _check_images("random_horizontal_flip", x)
    flip = np.random.default_rng(seed).uniform(size=len(x)) < p
    out = x.copy()
    out[flip] = x[flip][..., ::-1]
    return out


def random_crop(x, padding: int = 4, seed: Seed = None, fill: float = 0.0) -> np.ndarray:
    """Pad every side by `padding` pixels (value `fill`), then cut an H x W window at a random offset.

    The output has the input's shape; content shifts by up to `padding` pixels in each direction.
    """
    x = _check_images("random_crop", x)
    if int(padding) != padding or padding < 0:
        raise ValueError(f"random_crop: padding must be a non-negative integer, got {padding!r}.")
    n, _, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    rng = np.random.default_rng(seed)
    top, left = rng.integers(0, 2 * padding + 1, size=n), rng.integers(0, 2 * padding + 1, size=n)
    return np.stack([padded[i, :, top[i]:top[i] + h, left[i]:left[i] + w] for i in range(n)])


def cutout(x, size: int, seed: Seed = None, value: float = 0.0) -> np.ndarray:
    """Set a random size x size square (in all channels) of each image to `value` (default 0).

    The square lies fully inside the image.
    """
    x = _check_images("cutout", x)
    n, _, h, w = x.shape
    if int(size) != size or not 1 <= size <= min(h, w):
        raise ValueError(f"cutout: size must be an integer between 1 and {min(h, w)} for {h}x{w} images, got {size!r}.")
    rng = np.random.default_rng(seed)
    top, left = rng.integers(0, h - size + 1, size=n), rng.integers(0, w - size + 1, size=n)
    out = x.copy()
    for i in range(n):
        out[i, :, top[i]:top[i] + size, left[i]:left[i] + size] = value
    return out


def color_jitter(x, brightness: float = 0.2, contrast: float = 0.2, seed: Seed = None) -> np.ndarray:
    """Random brightness and contrast per image.

    b ~ U(1 - brightness, 1 + brightness), c ~ U(1 - contrast, 1 + contrast), m = the image's mean:
        x' = c * (b * x - b * m) + b * m      (scale brightness, then stretch around the mean)
    No clipping: values stay in whatever units the data uses (e.g. standardised).
    """
    x = _check_images("color_jitter", x)
    for name, amount in (("brightness", brightness), ("contrast", contrast)):
        if not 0 <= amount <= 1:
            raise ValueError(f"color_jitter: {name} must lie in [0, 1], got {amount!r}.")
    rng = np.random.default_rng(seed)
    b = rng.uniform(1 - brightness, 1 + brightness, size=(len(x), 1, 1, 1))
    c = rng.uniform(1 - contrast, 1 + contrast, size=(len(x), 1, 1, 1))
    bright = b * x  # float64 factors: integer images become float64, float32 stays float32 below
    mean = bright.mean(axis=(1, 2, 3), keepdims=True)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return (c * (bright - mean) + mean).astype(out_dtype, copy=False)


def mixup(x, y_onehot, alpha: float = 0.2, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Blend each sample with a random partner: lam ~ Beta(alpha, alpha), perm a random permutation,
        x' = lam * x + (1 - lam) * x[perm],   y' = lam * y + (1 - lam) * y[perm].

    One lam per batch (as in the mixup paper). Targets must be one-hot (or probability) rows,
    so the mixed targets are probability rows too (each sums to 1). Works for any x shape.
    """
    x, y = np.asarray(x), np.asarray(y_onehot)
    if y.ndim != 2 or len(y) != len(x):
        raise ValueError(
            f"mixup: y_onehot must have shape (N, num_classes) with N = len(x) = {len(x)}, got shape {y.shape}. "
            "Encode class indices first with one_hot(labels, num_classes)."
        )
    if alpha <= 0:
        raise ValueError(f"mixup: alpha must be positive, got {alpha!r}.")
    rng = np.random.default_rng(seed)
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(x))
    mixed_x = (lam * x + (1 - lam) * x[perm]).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)
    mixed_y = (lam * y + (1 - lam) * y[perm]).astype(y.dtype if y.dtype.kind == "f" else np.float64, copy=False)
    return mixed_x, mixed_y


class Mixup:
    """mixup as a batch transform: `fit(..., augment=Mixup(num_classes=10, alpha=0.2, seed=0))`.

    Called as `Mixup(...)(xb, yb) -> (mixed xb, mixed targets)`: class-index targets are
    one-hot encoded first, then `mixup` blends the batch (train with a loss that accepts
    class probabilities, such as nn.CrossEntropyLoss). `takes_targets = True` tells `fit`
    to pass the targets too.
    """

    takes_targets = True

    def __init__(self, num_classes: int, alpha: float = 0.2, seed: Seed = None):
        self.num_classes, self.alpha = num_classes, alpha
        self._rng = np.random.default_rng(seed)

    def __call__(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.asarray(x), np.asarray(y)
        if y.ndim == 1:  # targets in the images' float dtype (float32 stays float32)
            y = one_hot(y, self.num_classes, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        return mixup(x, y, self.alpha, seed=self._rng)

    def __repr__(self) -> str:
        return f"Mixup(num_classes={self.num_classes}, alpha={self.alpha})"


class Compose:
    """Chain augmentations that share one seeded Generator:

        augment = Compose([random_horizontal_flip, partial(random_crop, padding=1),
                           partial(cutout, size=2)], seed=0)
        xb = augment(xb)

    Each transform is called as `t(x, seed=generator)`, in order. (mixup also changes the
    targets, so apply it separately.)
    """

    def __init__(self, transforms: Sequence[Callable], seed: Seed = None):
        self.transforms = list(transforms)
        self._rng = np.random.default_rng(seed)

    def __call__(self, x) -> np.ndarray:
        for transform in self.transforms:
            x = transform(x, seed=self._rng)
        return x

    def __repr__(self) -> str:
        return f"Compose([{', '.join(_describe(t) for t in self.transforms)}])"


def _describe(transform: Callable) -> str:
    """`cutout(size=2)` for functools.partial(cutout, size=2); the function name otherwise."""
    if isinstance(transform, partial):
        args = [repr(a) for a in transform.args] + [f"{k}={v!r}" for k, v in transform.keywords.items()]
        return f"{_describe(transform.func)}({', '.join(args)})"
    return getattr(transform, "__name__", repr(transform))
