"""The order in which dbt starts ready nodes: the longest remaining path first.

dbt starts ready nodes by their depth in the graph, so on two threads a node that begins a long chain (the
好差评 comments staged → the sentiment model → … → scoring) can wait behind a dozen staging models that lead
nowhere slow. Here each node's priority is the length of the longest path from it to the end of the build,
measured in the seconds its nodes took in earlier builds (critical-path scheduling). A node with no recorded
time is costed by its kind (:data:`DEFAULT_COSTS`). The order changes when nodes run, never what they compute.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

COSTS_FILE = "node_costs.json"
DEFAULT_COSTS = {"python": 3.0, "sql": 0.3, "seed": 0.1, "test": 0.05}
"""Seconds assumed for a node never timed here: a Python model (training, scoring) is the slow kind."""


def default_cost(node) -> float:
    """The assumed seconds of a dbt manifest node by its kind (test, seed, Python or SQL model)."""
    kind = str(getattr(node, "resource_type", ""))
    if kind in ("test", "seed"):
        return DEFAULT_COSTS[kind]
    return DEFAULT_COSTS["python" if getattr(node, "language", "sql") == "python" else "sql"]


def remaining_paths(graph, cost) -> dict[str, float]:
    """For every node of the DAG ``graph`` (networkx), the seconds of the longest path from it to a sink,
    itself included, with ``cost(node_id)`` seconds per node."""
    import networkx as nx

    longest: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        longest[node] = cost(node) + max((longest[child] for child in graph.successors(node)), default=0.0)
    return longest


def load_costs(*paths: Path) -> dict[str, float]:
    """Recorded node seconds from the first of ``paths`` that can be read ({} when none can)."""
    for path in paths:
        with contextlib.suppress(OSError, ValueError):
            costs = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(costs, dict):
                return {str(node): float(seconds) for node, seconds in costs.items()}
    return {}


def record_costs(run_results: Path, *paths: Path) -> None:
    """Add the node times of a dbt run (``run_results.json``) to the costs recorded at each of ``paths``,
    replacing older times of the same nodes (written aside, then renamed). A file that cannot be read or
    written only costs the better order."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        ran = {result["unique_id"]: round(float(result["execution_time"]), 3)
               for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]}
        for path in paths:
            with contextlib.suppress(OSError):
                costs = {**load_costs(path), **ran}
                path.parent.mkdir(parents=True, exist_ok=True)
                aside = path.with_name(f".{path.name}.{os.getpid()}")
                aside.write_text(json.dumps(costs, sort_keys=True), encoding="utf-8")
                os.replace(aside, path)


@contextlib.contextmanager
def longest_path_first(costs: dict[str, float], threads: int):
    """While the block runs, dbt starts the ready node with the longest remaining path first (``costs``: recorded
    seconds per node id; others by :func:`default_cost`).

    dbt orders its queue of ready nodes, but hands each one to its thread pool, whose own queue is first come,
    first served, as soon as it is ready: a node that becomes ready later waits behind every node handed out
    before, whatever its priority. So a node is taken from dbt's queue only when one of the ``threads`` is free.
    If this dbt has no such queue, its own order stays."""
    try:
        from dbt.graph.queue import GraphQueue
    except ImportError:
        yield
        return
    originals = {name: getattr(GraphQueue, name, None) for name in ("_get_scores", "get", "mark_done")}
    if None in originals.values():
        yield
        return

    def scores(queue, graph) -> dict[str, float]:
        def cost(node_id: str) -> float:
            if node_id in costs:
                return costs[node_id]
            node = queue.manifest.nodes.get(node_id)
            return default_cost(node) if node is not None else DEFAULT_COSTS["test"]
        queue.free_threads = threading.Semaphore(threads)
        return {node: -seconds for node, seconds in remaining_paths(graph, cost).items()}

    def get(queue, block: bool = True, timeout: float | None = None):
        queue.free_threads.acquire()
        try:
            return originals["get"](queue, block, timeout)
        except BaseException:
            queue.free_threads.release()
            raise

    def mark_done(queue, node_id) -> None:
        try:
            originals["mark_done"](queue, node_id)
        finally:
            queue.free_threads.release()

    GraphQueue._get_scores, GraphQueue.get, GraphQueue.mark_done = scores, get, mark_done
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(GraphQueue, name, method)
