"""Memory policy: what the engine does about gradient buffers, Python's garbage collector and the
C allocator, and why. The engine calls this module; it never calls the engine.

1. Gradient buffers. A gradient array of at least REUSE_BYTES that only the engine holds may be
   overwritten by the next backward rule (ReLU writes its product into it): one big array fewer
   per node. Never an array handed out as a .grad, a hook's or the caller's, or while someone
   observes the backward pass.

2. The cyclic garbage collector. A graph holds no reference cycles (a Tensor points to its node,
   the node to its inputs), so reference counting frees it the moment it is dropped. The cyclic
   collector does not know that: while a forward pass records hundreds of thousands of nodes,
   every full collection re-scans all of them (a third of the time of a 100,000-link chain). So
   an automatic full collection that starts while a graph is being recorded freezes the live
   objects (`gc.freeze()`) instead, and has nothing old to scan. Garbage cycles are only delayed:
   the next backward unfreezes what we froze and the first full collection after it runs as
   usual; so does any full collection once that graph was dropped, or when no graph is being
   recorded, or after MAX_FREEZES freezes in a row; an explicit `gc.collect()` collects
   everything. The application's choices stay its own: nothing here enables, disables or
   re-tunes the collector; if the application froze objects itself we never freeze, and if it
   freezes while we have frozen, we never unfreeze its objects. Off: `memory.collector_enabled = False`.

3. The C allocator (glibc on Linux). By default glibc gives big freed blocks back to the system
   and the next training step faults the same pages in again (thousands of page faults per CNN
   step, as much time as the arithmetic). PyTorch keeps freed memory in its own caching
   allocator; we ask glibc to keep it (`mallopt`: blocks up to MMAP_THRESHOLD come from the
   heap, and the heap is trimmed only above TRIM_THRESHOLD of free memory at its top). It is
   done once, at import, unless the application chose its own settings (MALLOC_MMAP_THRESHOLD_,
   MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_ or MALLOC_ARENA_* in the environment) or opted out
   with CHALKGRAD_KEEP_FREED_MEMORY=0. The cost: the process keeps its peak heap, as PyTorch does.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
import weakref

import numpy as np

# ----- 1. gradient buffers ----------------------------------------------------------------------
# Gradients at least this big are reused in place when the engine alone holds them (smaller ones
# cost little to allocate, and malloc keeps their memory).
REUSE_BYTES = 1 << 16


def only_ours(array, returned, upstream, may_reuse) -> bool:
    """Is `array`, one input's gradient after the sum-back and dtype cast, a big array that nobody
    but the engine holds? `returned` are all the gradients as the backward rule returned them,
    `upstream` the gradient the rule was given (ours to overwrite when `may_reuse`)."""
    if array.nbytes < REUSE_BYTES or array.base is not None:
        return False
    if not any(g is array for g in returned):  # the sum-back or the dtype cast made it: a copy of our own
        return True
    # a new array (or the upstream gradient, if that was ours), not handed to two inputs (Add's)
    return (array is not upstream or may_reuse) and sum(g is array for g in returned) == 1


def big_array(total) -> bool:
    """A sum of two gradients the engine made: its own new array, reusable if big enough."""
    return type(total) is np.ndarray and total.nbytes >= REUSE_BYTES


# ----- 2. the cyclic garbage collector ------------------------------------------------------------
collector_enabled = True
MAX_FREEZES = 256  # then one full collection runs as usual, even while a graph is being recorded
_frozen_for = None  # while frozen: a weak reference to the newest node recorded when we froze
_frozen_count = 0  # gc.get_freeze_count() right after our latest freeze
_marker = None  # an object made right after our latest freeze: frozen later only by someone else
_freezes = 0  # freezes since the last full collection that ran as usual
_scanned_since_backward = False  # has a full collection run as usual since the last backward?


def after_backward() -> None:
    """The engine calls this when a backward pass ends."""
    global _scanned_since_backward
    thaw()
    _scanned_since_backward = False


def thaw() -> None:
    """Unfreeze what we froze, unless the application has frozen objects since (then they stay
    frozen, ours with them: refcounting still frees them; only cycles among them would wait)."""
    global _frozen_for, _marker
    if _frozen_for is None:
        return
    _frozen_for = None
    marker, _marker = _marker, None
    if gc.get_freeze_count() > _frozen_count or not _collectable(marker):
        return  # someone else froze since we did
    gc.unfreeze()


def _collectable(obj) -> bool:
    """Is obj still seen by the collector (not moved into the permanent generation by a freeze)?"""
    return any(o is obj for generation in range(3) for o in gc.get_objects(generation))


def on_full_collection(automatic: bool) -> None:
    """Before a full collection: freeze a graph that is being recorded, or collect as usual."""
    global _frozen_for, _frozen_count, _marker, _freezes, _scanned_since_backward
    if _frozen_for is None and gc.get_freeze_count():  # the application freezes objects itself
        return
    node = None
    if (collector_enabled and automatic and _scanned_since_backward and _freezes < MAX_FREEZES
            and (_frozen_for is None or _frozen_for() is not None)):
        node = _node_being_recorded()
    if node is None:  # collect as usual
        thaw()
        _freezes, _scanned_since_backward = 0, True
        return
    gc.freeze()
    _frozen_for, _frozen_count, _marker, _freezes = weakref.ref(node), gc.get_freeze_count(), [], _freezes + 1


def _before_full_collection(phase: str, info: dict) -> None:
    """gc callback. An automatic collection starts when the youngest generation overflows; an
    explicit gc.collect() (or one while the collector is disabled) is not automatic."""
    if phase == "start" and info["generation"] == 2:
        on_full_collection(automatic=gc.isenabled() and gc.get_count()[0] > gc.get_threshold()[0])


def _node_being_recorded():
    """The newest node among the youngest objects, if operations are being recorded right now."""
    from autograd.function import Context

    for obj in reversed(gc.get_objects(generation=0)):
        if type(obj) is Context:
            return obj
    return None


gc.callbacks.append(_before_full_collection)


# ----- 3. the C allocator ------------------------------------------------------------------------
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # blocks below 32 MiB (glibc's maximum) come from the reusable heap
TRIM_THRESHOLD = 256 << 20  # give memory back only when 256 MiB lie free at the heap's top
APPLICATION_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                        "MALLOC_MMAP_MAX_", "MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST", "GLIBC_TUNABLES")
allocator_tuned = False  # did keep_freed_memory() change glibc's settings?


def keep_freed_memory(environ=os.environ) -> bool:
    """Ask glibc to keep freed memory for reuse (see the module docstring); returns whether it did."""
    global allocator_tuned
    if environ.get("CHALKGRAD_KEEP_FREED_MEMORY", "1") == "0" or any(key in environ for key in APPLICATION_SETTINGS):
        return False
    mallopt = _glibc_mallopt()
    if mallopt is None:
        return False
    allocator_tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return allocator_tuned


def _glibc_mallopt():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # glibc only (musl has no mallopt thresholds)
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


keep_freed_memory()
