"""How this tool makes worker processes: the one place that picks a start method and builds a pool.

Every use names its start method, because the right one depends on what the parent holds:

* `FORK` - the workers are copies of the parent: they inherit what it compiled (policies, schemas,
  parsed objects) and even closures, which cannot be pickled. Only for parents that run no threads
  a copy could break: never after jsii has started its Node process in this process.
  Used by the validation runner's work units and by the folder parser (`map_inherited`).
* `FORKSERVER` - the workers fork from a clean single-threaded server started once; arguments and
  results are pickled. For work that may run in a process that started jsii (synth in the same
  process) but is cheap to set up: the server preloads modules once for all of them. Used by the
  isolation analysis (nca).
* `SPAWN` - fresh interpreters; arguments and results are pickled. For jsii itself: a forked child
  would share the parent's jsii pipes. Used by the parallel synth.

A start method the platform lacks (fork on Windows) makes `map_inherited` run in this process:
the results never depend on how many processes computed them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from enum import StrEnum
from multiprocessing.context import BaseContext
from multiprocessing.pool import AsyncResult, Pool
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


#: held while a thread starts a process with pipes, and around every fork of this process (os.register_at_fork):
#: a fork in between would give the forked child the pipe ends the parent is about to close, and a reader
#: waiting for end-of-file (checkov's scan, started in a background thread) would then wait for that child
_STARTING = threading.Lock()
os.register_at_fork(before=_STARTING.acquire, after_in_parent=_STARTING.release,
                    after_in_child=_STARTING.release)


def popen(args: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """subprocess.Popen, never interleaved with a fork of this process (see _STARTING): for processes started
    from a thread while the main thread may fork workers. (Popen itself runs no fork hooks: it cannot
    deadlock on the lock.)"""
    with _STARTING:
        return subprocess.Popen(args, **kwargs)


class StartMethod(StrEnum):
    FORK = "fork"
    FORKSERVER = "forkserver"
    SPAWN = "spawn"


def available(method: StartMethod) -> bool:
    return method.value in multiprocessing.get_all_start_methods()


def context(method: StartMethod, *, preload: Iterable[str] = ()) -> BaseContext:
    """The multiprocessing context of `method`; `preload`: modules a fork server imports once, before
    it forks any worker (ignored by the other methods)."""
    ctx = multiprocessing.get_context(method.value)
    names = list(preload)
    if names and method is StartMethod.FORKSERVER:
        ctx.set_forkserver_preload(names)
    return ctx


def pool(method: StartMethod, workers: int, *, initializer: Callable[..., object] | None = None,
         initargs: Sequence[Any] = (), max_tasks_per_child: int | None = None) -> Pool:
    """A multiprocessing Pool (it survives replacing a worker that reached `max_tasks_per_child`, which
    ProcessPoolExecutor on Python 3.11 may not)."""
    return context(method).Pool(workers, initializer=initializer, initargs=tuple(initargs),
                                maxtasksperchild=max_tasks_per_child)


class WorkerDied(RuntimeError):
    """A worker process ended before its work was done (killed, or failed to start)."""


#: how often `watched_map` looks at the workers while it waits
_WATCH_SECONDS = 0.05


def watched_map(workers_pool: Pool, fn: Callable[[T], R], items: Iterable[T], *, chunksize: int = 1) -> list[R]:
    """`workers_pool.map(fn, items)`, but a worker that dies fails it with WorkerDied instead of hanging.

    A Pool replaces a dead worker and waits for good for the task it held (a worker killed by the
    out-of-memory killer, or one whose initializer fails and is replaced again and again). A worker
    that retires after `max_tasks_per_child` exits with code 0; any other exit code is a death."""
    return _watched(workers_pool, workers_pool.map_async(fn, items, chunksize=chunksize))


def _watched(workers_pool: Pool, result: AsyncResult) -> Any:
    """`result.get()`, failing with WorkerDied (and the pool terminated) when one of its workers dies."""
    seen: dict[int, BaseProcess] = {}
    while not result.ready():
        # the Pool's own list of workers (CPython's `_pool`); a dead one leaves it when the Pool replaces
        # it, so every worker is remembered here from the first time it is seen
        for worker in list(getattr(workers_pool, "_pool", ())):
            seen.setdefault(id(worker), worker)
        dead = next((w.exitcode for w in seen.values() if w.exitcode not in (None, 0)), None)
        if dead is not None:
            workers_pool.terminate()
            raise WorkerDied(_death(dead))
        result.wait(_WATCH_SECONDS)
    return result.get()


def _death(exitcode: int) -> str:
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = (" (most often the out-of-memory killer: free memory, or run with --workers 1)"
                if -exitcode == signal.SIGKILL else "")
        return f"a worker process was killed by {name} before finishing its work{hint}"
    return f"a worker process exited with code {exitcode} before finishing its work (it could not start)"


def executor(method: StartMethod, workers: int, *, preload: Iterable[str] = ()) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor: unlike a Pool, a worker that dies fails the map (BrokenProcessPool)
    instead of leaving it waiting for good."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=context(method, preload=preload))


def chunksize(items: int, workers: int, chunks_per_worker: int) -> int:
    """Tasks per message: a few chunks per worker, so both finish together without a message per item."""
    return max(1, items // (workers * chunks_per_worker))


# Set in a forked worker by the pool's initializer (never in the parent): the function and the items
# the worker inherited, which `_call_inherited` looks up by index.
_INHERITED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _adopt(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    global _INHERITED
    _INHERITED = (fn, items)


def _call_inherited(index: int) -> Any:
    assert _INHERITED is not None, "a worker of map_inherited runs its initializer first"
    fn, items = _INHERITED
    return fn(items[index])


def map_inherited(fn: Callable[[T], R], items: Sequence[T], *, workers: int, min_items: int,
                  chunks_per_worker: int = 8) -> list[R]:
    """`[fn(item) for item in items]`, on `workers` forked processes when there are at least `min_items`
    items (below that a process costs more than it saves), else in this process.

    `fn` and `items` reach the workers by fork, never pickled: closures and objects holding compiled
    state are fine. Only the indices go to the workers and only the results (pickled) come back.
    """
    with InheritedMap(fn, items, workers=workers, min_items=min_items, chunks_per_worker=chunks_per_worker) as started:
        return started.results()


class InheritedMap(Generic[T, R]):
    """`map_inherited` started now and collected later: the workers fork when it is made and compute while
    this process goes on with other work; `results()` waits for them. Below `min_items` (or without fork)
    nothing starts, and `results()` computes the items here. Used as a context manager, so that an error
    in the work done meanwhile stops the workers."""

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], *, workers: int, min_items: int,
                 chunks_per_worker: int = 8, few_in_child: bool = False) -> None:
        """`few_in_child`: below `min_items`, compute the items in one forked child (ForkedCall) all the same, when
        `workers` > 1: for a caller with other work meanwhile (a child costs a fork, a pool much more)."""
        self._fn, self._items = fn, items
        self._pool: Pool | None = None
        self._result: AsyncResult | None = None
        self._child: ForkedCall[list[R]] | None = None
        if workers > 1 and len(items) >= max(min_items, 2) and available(StartMethod.FORK):
            # a forked Pool's initializer and its arguments are inherited with the worker process, not pickled
            self._pool = pool(StartMethod.FORK, workers, initializer=_adopt, initargs=(fn, items))
            self._result = self._pool.map_async(_call_inherited, range(len(items)),
                                                chunksize=chunksize(len(items), workers, chunks_per_worker))
        elif few_in_child and workers > 1 and items:
            self._child = ForkedCall(lambda: [fn(item) for item in items])

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def results(self) -> list[R]:
        if self._child is not None:
            child, self._child = self._child, None
            answer = child.result()
            if answer is not None and len(answer) == len(self._items):
                return answer
        if self._pool is None or self._result is None:
            return [self._fn(item) for item in self._items]
        return list(_watched(self._pool, self._result))

    def __enter__(self) -> InheritedMap[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:
            self._child.cancel()
            self._child = None
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class ForkedCall(Generic[R]):
    """`fn()` computed in a forked child while this process goes on; `result()` waits for it. The child
    inherits `fn` (a closure over the parent's state is fine) and sends back only the pickled result.

    A speed-up only: `result()` is None when the child could not give an answer (it failed, raised or
    died, or fork is unavailable), and the caller then computes `fn()` itself, so every answer, and every
    error, is exactly the one the caller would have had without the child."""

    def __init__(self, fn: Callable[[], R]) -> None:
        self._process: BaseProcess | None = None
        self._reader: Any = None
        if not available(StartMethod.FORK):
            return
        ctx = multiprocessing.get_context("fork")
        self._reader, writer = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_send_result, args=(fn, writer), daemon=True)
        self._process.start()
        writer.close()  # the child's copy stays open: end-of-file here means the child ended

    def result(self) -> R | None:
        if self._process is None:
            return None
        try:
            ok, value = self._reader.recv()
        except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError):
            ok, value = False, None
        finally:
            self._reader.close()
            self._process.join()
            self._process = None
        return value if ok else None

    def cancel(self) -> None:
        """Stop the child (the caller no longer needs its answer)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._reader.close()
            self._process = None


def _send_result(fn: Callable[[], Any], writer: Any) -> None:
    try:
        value = fn()
    except BaseException:  # the parent computes fn() itself, and meets the error there
        writer.send((False, None))
        return
    writer.send((True, value))
