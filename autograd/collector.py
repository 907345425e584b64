"""Python's cyclic garbage collector and large graphs.

A graph holds no reference cycles (a Tensor points to its node, the node to its inputs), so
reference counting frees it the moment it is dropped. The cyclic collector does not know that:
while a forward pass records hundreds of thousands of nodes, every full collection re-scans all
of them (a third of the time of a 100,000-link chain). So an automatic full collection that
starts while a graph is being recorded freezes the objects alive (`gc.freeze()`) instead, and
has nothing old to scan. Garbage cycles are only delayed, never kept:

- the next backward unfreezes everything we froze, and the first full collection after it runs as
  usual; so does any full collection once the graph we froze for has been dropped, or when no
  graph is being recorded, or after 256 freezes in a row (a 10^6-link chain takes ~130);
- an explicit `gc.collect()` always collects everything.

The engine also pauses the collector during backward. An application that has frozen objects
itself is left alone (but one that calls `gc.freeze()` in the middle of a forward pass has it
undone by the next backward). Switch this off with `autograd.collector.enabled = False`.
"""
from __future__ import annotations

import gc
import weakref

from autograd.function import Context

enabled = True
MAX_FREEZES = 256  # then one full collection runs as usual, even while a graph is being recorded
_frozen_for = None  # while frozen: a weak reference to the newest node recorded when we froze
_freezes = 0  # freezes since the last full collection that ran as usual
_scanned_since_backward = False  # has a full collection run as usual since the last backward?


def thaw(after_backward: bool = False) -> None:
    """Unfreeze what we froze; the engine calls this when a backward pass ends."""
    global _frozen_for, _scanned_since_backward
    if _frozen_for is not None:
        _frozen_for = None
        gc.unfreeze()
    if after_backward:
        _scanned_since_backward = False


def on_full_collection(automatic: bool) -> None:
    """Before a full collection: freeze a graph that is being recorded, or collect as usual."""
    global _frozen_for, _freezes, _scanned_since_backward
    if _frozen_for is None and gc.get_freeze_count():  # the application freezes objects itself
        return
    node = None
    if (enabled and automatic and _scanned_since_backward and _freezes < MAX_FREEZES
            and (_frozen_for is None or _frozen_for() is not None)):
        node = _node_being_recorded()
    if node is None:  # collect as usual
        thaw()
        _freezes, _scanned_since_backward = 0, True
        return
    gc.freeze()
    _frozen_for, _freezes = weakref.ref(node), _freezes + 1


def _before_full_collection(phase: str, info: dict) -> None:
    """gc callback. An automatic collection starts when the youngest generation overflows; an
    explicit gc.collect() (or one while the collector is disabled) is not automatic."""
    if phase == "start" and info["generation"] == 2:
        on_full_collection(automatic=gc.isenabled() and gc.get_count()[0] > gc.get_threshold()[0])


def _node_being_recorded():
    """The newest node among the youngest objects, if operations are being recorded right now."""
    for obj in reversed(gc.get_objects(generation=0)):
        if type(obj) is Context:
            return obj
    return None


gc.callbacks.append(_before_full_collection)
