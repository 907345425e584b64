"""Python's cyclic garbage collector and large graphs.

A graph holds no reference cycles (a Tensor points to its node, the node to its inputs), so
reference counting frees it the moment it is dropped. The cyclic collector does not know that:
while a forward pass records hundreds of thousands of nodes, every full collection re-scans all
of them (a third of the time of a 100,000-link chain). So:

- after a backward pass, the first full collection runs as usual (every garbage cycle is found);
- a later full collection that starts while a graph is being recorded freezes the objects alive
  (`gc.freeze()`) instead, so it has nothing old to scan;
- the next backward unfreezes them, and so does the next full collection once the graph we froze
  for has been dropped without a backward (inference without no_grad).

Garbage cycles are only delayed, by one backward at most. Younger generations are collected as
usual, and the engine pauses the collector during backward. (A `gc.collect()` called during a
forward pass may freeze too; call it outside.) An application that calls `gc.freeze()` itself is
left alone. Switch this off with `autograd.collector.enabled = False`.
"""
from __future__ import annotations

import gc
import weakref

from autograd.function import Context

enabled = True
_frozen_for = None  # while frozen: a weak reference to a node of the graph being recorded
_scanned_since_backward = False  # has a full collection run as usual since the last backward?


def thaw(after_backward: bool = False) -> None:
    """Unfreeze what we froze; the engine calls this when a backward pass ends."""
    global _frozen_for, _scanned_since_backward
    if _frozen_for is not None:
        _frozen_for = None
        gc.unfreeze()
    if after_backward:
        _scanned_since_backward = False


def _before_full_collection(phase: str, info: dict) -> None:
    """gc callback: freeze instead of re-scanning a graph that is being recorded."""
    global _frozen_for, _scanned_since_backward
    if phase != "start" or info["generation"] != 2:
        return
    if _frozen_for is None and gc.get_freeze_count():  # the application freezes objects itself
        return
    node = None
    if enabled and _scanned_since_backward:
        node = _frozen_for() if _frozen_for is not None else _node_being_recorded()
    if node is None:  # collect as usual
        thaw()
        _scanned_since_backward = True
        return
    gc.freeze()
    _frozen_for = weakref.ref(node)


def _node_being_recorded():
    """A node among the youngest objects, if operations are being recorded right now."""
    for obj in gc.get_objects(generation=0):
        if type(obj) is Context:
            return obj
    return None


gc.callbacks.append(_before_full_collection)
