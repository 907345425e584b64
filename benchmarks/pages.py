"""Step pages: time to build the step-by-step HTML page (backprop_steps + to_html) and its size,
for the two networks the issue names:

    cnn      Conv2d 1→4 3×3, ReLU, MaxPool2d 2, Flatten, Linear, cross-entropy; a batch of 8
             8×8 images: the primitives' page (the default view)       target ≤ 2 s, ≤ 2 MB
    mlp120   a 120-layer MLP (Linear 16→16 with ReLU between, batch 8, cross-entropy), the
             layer view: backprop_steps(loss, collapse=True)           target ≤ 3 MB

Timed separately: `steps_s` (the backward pass, watched), `page_s` (to_html: the overview laid
out by Graphviz's dot, the steps' data) and `total_s`; `page_bytes` is the page's size.
"""
from __future__ import annotations

import time

import numpy as np

IMPLEMENTATIONS = ("chalkgrad",)
TARGETS = {"cnn": (2.0, 2_000_000), "mlp120": (None, 3_000_000)}  # seconds, bytes


def _cnn():
    import nn
    from autograd import Tensor

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, generator=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 3, generator=1))
    images = Tensor(rng.standard_normal((8, 1, 8, 8)), name="images")
    return nn.CrossEntropyLoss()(model(images), rng.integers(0, 3, 8))


def _mlp120():
    import nn
    from autograd import Tensor

    rng = np.random.default_rng(0)
    layers = []
    for i in range(120):
        layers += [nn.Linear(16, 16, generator=i)] + ([nn.ReLU()] if i < 119 else [])
    x = Tensor(rng.standard_normal((8, 16)), name="x")
    return nn.CrossEntropyLoss()(nn.Sequential(*layers)(x), rng.integers(0, 16, 8))


def setup(impl: str, graph: str = "cnn"):
    if impl != "chalkgrad":
        raise ValueError(f"pages has no implementation {impl!r}")
    from autograd import backprop_steps

    build = {"cnn": _cnn, "mlp120": _mlp120}[graph]
    collapse = graph == "mlp120"

    def step():
        loss = build()
        start = time.perf_counter()
        steps = backprop_steps(loss, collapse=collapse)
        watched = time.perf_counter()
        page = steps.to_html()
        done = time.perf_counter()
        return {"steps_s": watched - start, "page_s": done - watched, "total_s": done - start,
                "page_bytes": len(page.encode("utf-8")), "steps": len(steps)}

    return step, {"graph": graph}
