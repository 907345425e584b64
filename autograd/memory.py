"""Memory policy: what the engine does about Python's garbage collector and the C allocator, and
why. The engine calls this module; it never calls the engine.

1. The cyclic garbage collector. A graph holds no reference cycles (a Tensor points to its node,
   the node to its inputs), so reference counting frees it the moment it is dropped. The cyclic
   collector does not know that: while a forward pass records hundreds of thousands of nodes,
   every full collection re-scans all of them (see benchmarks/README.md, figures behind the code). So
   an automatic full collection that starts while a graph is being recorded freezes the live
   objects (`gc.freeze()`) instead, and has nothing old to scan. Garbage cycles are only delayed:
   a full collection runs as usual (after unfreezing) when no graph is being recorded, after
   every SCAN_EVERY backward passes, or after MAX_FREEZES freezes in a row; an explicit
   `gc.collect()` collects everything. (A training loop keeps the previous step's graph alive
   while it records the next one: scanning it at every step would cost a noticeable share of a
   scalar network's step.) The application's choices stay its own: nothing here enables, disables or re-tunes
   the collector; if the application froze objects itself we never freeze, and if it freezes
   while we have frozen, we never unfreeze (its objects and ours stay frozen; refcounting still
   frees them). Off: `memory.collector_enabled = False`.

2. The C allocator (glibc on Linux). By default glibc gives big freed blocks back to the system
   and the next training step faults the same pages in again (the page faults per step that
   `make bench` prints for W2 and W4). PyTorch keeps freed memory in its own caching
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

# ----- 1. the cyclic garbage collector ------------------------------------------------------------
collector_enabled = True
MAX_FREEZES = 256  # then one full collection runs as usual, even while a graph is being recorded
SCAN_EVERY = 8  # backward passes: then a full collection runs as usual (cycles wait no longer)
_frozen = False  # have we frozen objects (and not unfrozen them since)?
_marker = None  # an object made right after our latest freeze: only someone else can freeze it
_freezes = 0  # freezes since the last full collection that ran as usual
_backwards = SCAN_EVERY  # backward passes since then


def after_backward() -> None:
    """The engine calls this when a backward pass ends."""
    global _backwards
    _backwards += 1


def thaw() -> None:
    """Unfreeze what we froze, unless the application has frozen objects since (our marker is
    frozen then). Looking for the marker visits every object once; it happens only before a full
    collection that runs as usual, which visits them all anyway."""
    global _frozen, _marker
    if _frozen and any(obj is _marker for generation in range(3) for obj in gc.get_objects(generation)):
        gc.unfreeze()
    _frozen, _marker = False, None


def on_full_collection(automatic: bool) -> None:
    """Before a full collection: freeze a graph that is being recorded, or collect as usual."""
    global _frozen, _marker, _freezes, _backwards
    if not _frozen and gc.get_freeze_count():  # the application freezes objects itself
        return
    if (collector_enabled and automatic and _freezes < MAX_FREEZES and _backwards < SCAN_EVERY
            and _being_recorded()):
        gc.freeze()
        _frozen, _marker, _freezes = True, [], _freezes + 1
        return
    thaw()  # and collect as usual
    _freezes, _backwards = 0, 0


def _before_full_collection(phase: str, info: dict) -> None:
    """gc callback. An automatic collection starts when the youngest generation overflows; an
    explicit gc.collect() (or one while the collector is disabled) is not automatic."""
    if phase == "start" and info["generation"] == 2:
        on_full_collection(automatic=gc.isenabled() and gc.get_count()[0] > gc.get_threshold()[0])


def _being_recorded() -> bool:
    """Are operations being recorded right now (is a node among the youngest objects)?"""
    from autograd.function import Context

    return any(type(obj) is Context for obj in reversed(gc.get_objects(generation=0)))


gc.callbacks.append(_before_full_collection)


# ----- 2. the C allocator ------------------------------------------------------------------------
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
    except (OSError, AttributeError):
        return None
    if not hasattr(libc, "gnu_get_libc_version"):  # glibc only (musl has no mallopt thresholds)
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


keep_freed_memory()
