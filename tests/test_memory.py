"""The memory policy (autograd/memory.py). Garbage collector: a full collection that starts while a
graph is being recorded freezes instead of re-scanning it; one that starts when nothing is being
recorded (or after every few backward passes) unfreezes and collects as usual; garbage cycles are
delayed, never kept; the application's own choices (gc.freeze(), gc.disable()) are left alone.
Allocator: glibc keeps freed memory unless the application chose."""
import gc
import weakref

import numpy as np
import pytest

from autograd import Tensor, memory


class Cycle:
    def __init__(self):
        self.me = self


def full_collection_starts():
    """What happens before an automatic full collection (called by hand: deterministic)."""
    memory.on_full_collection(automatic=True)


def record(x, links=20):
    for _ in range(links):
        x = (0.5 * x + 0.1).tanh()
    return x


@pytest.fixture(autouse=True)
def fresh_policy():
    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection moves the test's young objects around
    memory.thaw()
    memory._backwards = memory.SCAN_EVERY  # the first full collection runs as usual
    yield
    memory.collector_enabled = True
    memory.thaw()
    gc.unfreeze()
    if was_enabled:
        gc.enable()


def test_recording_freezes_until_a_collection_while_nothing_is_recorded():
    x = Tensor(np.ones(3), requires_grad=True)
    y = record(x)
    full_collection_starts()  # the first one: as usual
    assert gc.get_freeze_count() == 0
    y = record(y)
    full_collection_starts()  # a graph is being recorded: freeze instead
    frozen = gc.get_freeze_count()
    assert frozen > 0
    y = record(y)
    full_collection_starts()  # still recording: what is new is frozen too
    assert gc.get_freeze_count() > frozen
    y.sum().backward()
    assert x.grad is not None
    gc.collect(generation=0)  # the young objects move on: nothing is being recorded now
    full_collection_starts()  # ... so this one unfreezes and collects as usual
    assert gc.get_freeze_count() == 0


def test_dropping_the_graph_without_backward_unfreezes():
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    y = record(y)
    full_collection_starts()
    assert gc.get_freeze_count() > 0
    del y  # inference without no_grad: the graph goes away, no backward
    full_collection_starts()
    assert gc.get_freeze_count() == 0


def test_nothing_is_frozen_when_nothing_is_recorded():
    full_collection_starts()
    [Tensor(np.ones(3)) * 2 for _ in range(5)]  # constants record no graph
    full_collection_starts()
    assert gc.get_freeze_count() == 0


def garbage_frozen_with_a_graph():
    """A graph being recorded, frozen by a full collection together with a garbage cycle; returns
    the graph's output and a weak reference to the cycle."""
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()  # the first one after a backward: as usual
    cycle = Cycle()
    gone = weakref.ref(cycle)
    del cycle
    y = record(y)
    full_collection_starts()  # the cycle is frozen with the graph
    assert gc.get_freeze_count() > 0
    return y, gone


def test_garbage_cycles_are_delayed_not_kept():
    y, gone = garbage_frozen_with_a_graph()
    y = record(y)
    full_collection_starts()
    assert gone() is not None
    y.sum().backward()
    gc.collect(generation=0)
    full_collection_starts()  # nothing is being recorded: unfreeze, collect as usual
    gc.collect()
    assert gone() is None


def test_an_explicit_collect_collects_everything_even_while_recording():
    y, gone = garbage_frozen_with_a_graph()
    y = record(y)
    gc.collect()  # the interpreter's own call: not automatic
    assert gone() is None and gc.get_freeze_count() == 0


def test_a_kept_graph_without_backward_does_not_keep_garbage_frozen():
    kept = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    kept = record(kept)
    full_collection_starts()
    assert gc.get_freeze_count() > 0
    cycle = Cycle()
    gone = weakref.ref(cycle)
    del cycle
    [object() for _ in range(1000)]  # other work: nothing is being recorded now
    gc.collect(generation=0)  # the young objects move on, as they do between collections
    full_collection_starts()  # no node among the youngest objects: collect as usual
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
    del kept


def test_freezes_in_a_row_are_bounded():
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    for _ in range(memory.MAX_FREEZES):
        y = record(y, links=1)
        full_collection_starts()
        assert gc.get_freeze_count() > 0
    y = record(y, links=1)
    full_collection_starts()  # one full collection as usual after MAX_FREEZES freezes
    assert gc.get_freeze_count() == 0


def test_an_applications_own_freeze_is_left_alone():
    keep = [Cycle() for _ in range(3)]
    gc.freeze()
    theirs = gc.get_freeze_count()
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    y = record(y)
    full_collection_starts()
    assert gc.get_freeze_count() == theirs
    y.sum().backward()
    assert gc.get_freeze_count() == theirs  # not unfrozen by us
    gc.unfreeze()
    del keep


def test_switched_off_it_never_freezes():
    memory.collector_enabled = False
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    y = record(y)
    full_collection_starts()
    assert gc.get_freeze_count() == 0


def test_a_real_deep_chain_builds_and_differentiates_with_the_collector_on():
    # automatic collections with small thresholds, and a chain that doubles the number of live
    # objects (a full collection waits until they grew by a quarter), so full collections happen
    # while it is recorded
    links = max(3000, len(gc.get_objects()) // 9)
    gc.enable()
    thresholds = gc.get_threshold()
    frozen_during = []
    watch = lambda phase, info: frozen_during.append(memory._frozen) if phase == "stop" else None  # noqa: E731
    gc.callbacks.append(watch)
    gc.set_threshold(50, 2, 2)
    try:
        x = Tensor(np.full(4, 0.3), requires_grad=True)
        y = record(x, links=links)
        y.sum().backward()
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(watch)
    assert any(frozen_during)  # the policy froze during the forward pass
    gc.collect()  # an explicit collection unfreezes and collects everything
    assert gc.get_freeze_count() == 0
    expected = np.full(4, 0.3)
    slope = np.ones(4)
    for _ in range(links):
        expected = np.tanh(0.5 * expected + 0.1)
        slope *= 0.5 * (1 - expected**2)
    np.testing.assert_allclose(x.grad.data, slope, rtol=1e-10, atol=1e-300)


def test_an_application_freeze_while_we_are_frozen_is_not_undone():
    y = record(Tensor(np.ones(3), requires_grad=True))
    full_collection_starts()
    y = record(y)
    full_collection_starts()  # we froze
    keep = [Cycle() for _ in range(3)]
    gc.freeze()  # ... and then the application (another thread, say) froze too
    y.sum().backward()
    assert not any(o is keep for o in gc.get_objects())  # backward did not unfreeze the application's objects
    gc.unfreeze()
    del keep


def test_backward_leaves_the_collector_switched_as_the_application_set_it():
    x = Tensor(np.ones(3), requires_grad=True)
    y = (x * 2).sum()
    gc.enable()
    y.register_hook(lambda grad: gc.disable())  # the application disables it during backward
    y.backward()
    assert not gc.isenabled()  # and it stays disabled
    seen = []
    z = (x * 3).sum()
    z.register_hook(lambda grad: seen.append(gc.isenabled()))
    gc.enable()
    z.backward()
    assert seen == [True]  # backward does not switch the collector off behind the application's back


def test_glibc_is_asked_to_keep_freed_memory_unless_the_application_chose(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_glibc_mallopt", lambda: lambda option, value: calls.append((option, value)) or 1)
    assert memory.keep_freed_memory(environ={}) is True
    assert calls == [(memory.M_MMAP_THRESHOLD, memory.MMAP_THRESHOLD), (memory.M_TRIM_THRESHOLD, memory.TRIM_THRESHOLD)]
    calls.clear()
    assert memory.keep_freed_memory(environ={"MALLOC_TRIM_THRESHOLD_": "0"}) is False  # the application's own setting
    assert memory.keep_freed_memory(environ={"CHALKGRAD_KEEP_FREED_MEMORY": "0"}) is False  # the opt-out
    assert calls == []


def test_the_real_mallopt_is_found_on_glibc():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not a glibc system")
    assert memory._glibc_mallopt() is not None


def test_a_full_collection_runs_as_usual_after_every_few_backward_passes():
    x = Tensor(np.ones(3), requires_grad=True)
    full_collection_starts()  # as usual (the first one)
    for _ in range(memory.SCAN_EVERY):
        y = record(x)
        full_collection_starts()
        assert gc.get_freeze_count() > 0  # recording: freeze
        y.sum().backward()
    y = record(x)
    full_collection_starts()  # still recording, but a scan is due
    assert gc.get_freeze_count() == 0
    y = record(y)
    full_collection_starts()
    assert gc.get_freeze_count() > 0  # and then freezing again
