"""Helper processes of a stage (landing workers, producer processes, the build's helpers): how many, and that they
end with their parent; the garbage collector's thresholds and the native thread pools while a build runs."""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import resource
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable

_PR_SET_PDEATHSIG = 1


def cores() -> int:
    """Cores this process may run on (one helper process per core is the default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL) -> None:
    """Send this process ``signum`` (default SIGKILL) when its parent dies (Linux); exit now if the parent is
    already gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: end-of-file on stdin still ends the process
    if os.getppid() != parent_pid:
        os._exit(1)


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started its program (``VmHWM``; ``ru_maxrss`` would also
    count the memory of the parent it was forked from)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


BUILD_YOUNG_GC_THRESHOLD = 50_000
"""Allocations between two young-generation collections during a build (CPython's default: 700)."""


@contextmanager
def fewer_collections(young: int = BUILD_YOUNG_GC_THRESHOLD):
    """Run the body with the cyclic garbage collector's young threshold raised to ``young``; restored after.

    A build process holds a large long-lived heap (dbt's parsed manifest and the imported libraries: about
    half a million tracked objects) and allocates short-lived containers by the million (pandas,
    scikit-learn, jieba). With the default thresholds a first S build ran 6,365 young, 578 middle and 17
    full collections, each full one walking the whole heap: 4.9 s, all of it holding the interpreter lock
    the build's dbt threads share. With 50,000 it ran 72 young, 6 middle and no full collection: 1.5 s, at
    the same peak memory (about 3.0 GB). Cyclic garbage waits at most 50,000 allocations longer."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def native_threads_per_node(concurrent_nodes: int, available: int | None = None) -> int:
    """Threads each of ``concurrent_nodes`` nodes running at once may give its native pools (OpenBLAS, OpenMP):
    its share of the cores, at least one."""
    return max(1, (available or cores()) // max(1, concurrent_nodes))


@contextmanager
def native_threads(limit: int):
    """Run the body with the native thread pools already loaded (OpenBLAS, OpenMP) cut to ``limit`` threads;
    restored after.

    The build's dbt runs two nodes at once on two cores, and scikit-learn's pools start a thread per core in
    each. Their idle threads spin, so a second thread cost CPU the other node needed: in a first S build the
    sentiment model's logistic regression took 2.6 s CPU for 1.3 s wall with two threads, 0.65 s for 0.65 s with
    one, and the sentiment node 11.4–12.7 s against 8.0–9.4 s (the same fits, the same held-out accuracy)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit):
        yield


_helpers: ProcessPoolExecutor | None = None
_native_limit = None


def _start_helper(parent_pid: int, native_limit: int, warm: tuple[Callable[[], object], ...]) -> None:
    global _native_limit
    from threadpoolctl import threadpool_limits

    die_with_parent(parent_pid)
    for step in warm:
        step()
    _native_limit = threadpool_limits(limits=native_limit)  # kept for the process's life


@contextmanager
def helper_processes(workers: int, warm: tuple[Callable[[], object], ...] = (), native_limit: int = 1):
    """While the body runs, ``workers`` spawned helper processes (:func:`helpers`), started at once; each runs the
    ``warm`` functions (module-level, e.g. imports) as it starts and gives its native pools ``native_limit`` threads.

    Python work handed to them (the first-use training of the build's models, a share of the scoring) runs on its
    own interpreter lock: in the build's dbt process two model trainings on two threads shared one lock, and the
    CPU stood about a third idle while they ran. Started with the dbt step, they import their libraries while dbt
    builds the staging layer. None is started for ``workers`` < 1 or in a daemonic process (which may start none);
    :func:`helpers` is then None and callers work in-process."""
    global _helpers
    if workers < 1 or multiprocessing.current_process().daemon:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_helper,
                               initargs=(os.getpid(), native_limit, warm))
    for _ in range(workers):  # each submit before a helper is idle starts one: all start now, not on first use
        pool.submit(int)
    _helpers = pool
    try:
        yield pool
    finally:
        _helpers = None
        pool.shutdown(cancel_futures=True)


def helpers() -> ProcessPoolExecutor | None:
    """The running :func:`helper_processes` of this process, or None."""
    return _helpers
