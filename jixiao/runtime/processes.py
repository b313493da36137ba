"""Helper processes of a stage (landing workers, producer processes): how many, and that they end with their parent;
the garbage collector's thresholds and the native thread pools while a build runs."""
from __future__ import annotations

import ctypes
import gc
import os
import resource
import signal
from contextlib import contextmanager

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
