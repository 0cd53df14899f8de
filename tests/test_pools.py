"""The process-pool helper: the same answers in order, whichever way they were computed."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from genai_gitops import pools
from genai_gitops.pools import StartMethod

needs_fork = pytest.mark.skipif(not pools.available(StartMethod.FORK), reason="needs the fork start method")


@needs_fork
def test_map_inherited_runs_closures_in_forked_workers_in_order() -> None:
    offset = 1000  # a closure over local state: it cannot be pickled, only inherited
    items = list(range(40))

    def work(item: int) -> tuple[int, int]:
        return item + offset, os.getpid()

    parallel = pools.map_inherited(work, items, workers=2, min_items=2)
    assert [value for value, _ in parallel] == [i + 1000 for i in items]
    assert os.getpid() not in {pid for _, pid in parallel}
    assert pools._INHERITED is None  # the parent's module state is never touched


def test_map_inherited_below_the_threshold_runs_here() -> None:
    answers = pools.map_inherited(lambda item: (item * 2, os.getpid()), [1, 2, 3], workers=2, min_items=4)
    assert answers == [(2, os.getpid()), (4, os.getpid()), (6, os.getpid())]
    assert pools.map_inherited(lambda item: item, [5, 6], workers=1, min_items=0) == [5, 6]


@pytest.mark.parametrize("method", [StartMethod.FORKSERVER, StartMethod.SPAWN])
def test_pickling_pools_of_each_start_method(method: StartMethod) -> None:
    if not pools.available(method):
        pytest.skip(f"no {method} start method here")
    with pools.executor(method, 2) as executor:
        assert list(executor.map(abs, [-3, 4, -5], chunksize=pools.chunksize(3, 2, 4))) == [3, 4, 5]
    with pools.pool(method, 2, max_tasks_per_child=1) as pool:
        assert pool.map(abs, [-1, -2, 3]) == [1, 2, 3]


def test_chunksize_is_a_few_chunks_per_worker() -> None:
    assert pools.chunksize(160, 2, 8) == 10
    assert pools.chunksize(3, 2, 8) == 1


def _fail_in(seconds: int) -> None:
    """A hang fails the test instead of the run (what the watch exists to prevent)."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer in {seconds} s: the map hangs")
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


@needs_fork
def test_a_killed_worker_fails_the_map_instead_of_hanging() -> None:
    def work(item: int) -> int:
        if item == 7:
            os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
        return item

    _fail_in(60)
    try:
        with pytest.raises(pools.WorkerDied, match=r"killed by SIGKILL .*out-of-memory killer.*--workers 1"):
            pools.map_inherited(work, list(range(20)), workers=2, min_items=2)
    finally:
        signal.alarm(0)


@pytest.mark.parametrize("method", [StartMethod.FORK, StartMethod.SPAWN])
def test_a_worker_that_cannot_start_fails_the_map(method: StartMethod) -> None:
    if not pools.available(method):
        pytest.skip(f"no {method} start method here")
    _fail_in(60)
    try:
        # a Pool replaces a worker whose initializer fails, again and again, and never runs the task
        with pools.pool(method, 2, initializer=os._exit, initargs=(3,)) as pool, \
                pytest.raises(pools.WorkerDied, match=r"exited with code 3 .*could not start"):
            pools.watched_map(pool, abs, [-1, -2])
    finally:
        signal.alarm(0)


def test_retired_workers_are_not_deaths() -> None:
    """A worker that reached max_tasks_per_child exits with code 0 and is replaced: the map goes on."""
    with pools.pool(StartMethod.SPAWN, 2, max_tasks_per_child=1) as pool:
        assert pools.watched_map(pool, abs, range(-6, 0)) == [6, 5, 4, 3, 2, 1]


@needs_fork
def test_an_inherited_map_computes_while_the_caller_works(tmp_path) -> None:
    def work(item: int) -> tuple[int, int]:
        (tmp_path / str(item)).touch()
        return item * 3, os.getpid()

    items = list(range(12))
    with pools.InheritedMap(work, items, workers=2, min_items=2) as started:
        assert started.parallel
        _fail_in(20)
        try:
            while len(list(tmp_path.iterdir())) < len(items):  # done before anyone asked for the results
                time.sleep(0.02)
        finally:
            signal.alarm(0)
        answers = started.results()
    assert [value for value, _ in answers] == [i * 3 for i in items]
    assert os.getpid() not in {pid for _, pid in answers}
    assert not started.parallel  # leaving the block ends the workers


def test_an_inherited_map_below_its_threshold_computes_when_asked() -> None:
    calls: list[int] = []
    with pools.InheritedMap(calls.append, [1, 2], workers=2, min_items=3) as started:
        assert not started.parallel and calls == []
        assert started.results() == [None, None]
    assert calls == [1, 2]


@needs_fork
def test_a_fork_waits_for_a_process_being_started_with_pipes() -> None:
    # a thread inside pools.popen holds the lock; a fork meanwhile would hand the child that process's pipe ends
    holding = threading.Event()

    def hold() -> None:
        with pools._STARTING:
            holding.set()
            time.sleep(0.3)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    waited = time.monotonic() - began
    os.waitpid(pid, 0)
    holder.join()
    assert waited >= 0.25
    process = pools.popen(["true"])  # and popen itself never waits for a hook: it runs none
    assert process.wait(timeout=10) == 0


def test_forked_call_answers_or_says_it_cannot() -> None:
    """ForkedCall: the child's result, or None when it raised, died or sent what cannot be pickled (the caller
    then computes it itself)."""
    import os
    import threading

    from genai_gitops.pools import ForkedCall

    held = {"a": [1, 2, 3]}
    assert ForkedCall(lambda: sorted(held["a"], reverse=True)).result() == [3, 2, 1]  # a closure, inherited
    assert ForkedCall(lambda: 1 // 0).result() is None
    assert ForkedCall(lambda: os._exit(3)).result() is None
    assert ForkedCall(lambda: threading.Lock()).result() is None
    assert ForkedCall(lambda: []).result() == []


def test_a_few_items_in_one_child_give_the_results_computed_here() -> None:
    """InheritedMap(few_in_child=True) below `min_items`: one forked child computes them (the caller works
    meanwhile); the results are those of computing them here, also when the child dies."""
    import os

    from genai_gitops.pools import InheritedMap

    items = [3, 1, 2]
    with InheritedMap(lambda x: x * 10, items, workers=2, min_items=64, few_in_child=True) as started:
        assert started._child is not None and not started.parallel
        assert started.results() == [30, 10, 20]
    parent = os.getpid()
    with InheritedMap(lambda x: os._exit(1) if os.getpid() != parent else x, items, workers=2, min_items=64,
                      few_in_child=True) as started:
        assert started.results() == items  # the child died: computed here
    with InheritedMap(lambda x: x, items, workers=1, min_items=64, few_in_child=True) as started:
        assert started._child is None and started.results() == items
