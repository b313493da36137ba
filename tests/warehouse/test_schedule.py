"""The order in which dbt starts ready nodes: the longest remaining path first, one node per free thread."""
from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue

from jixiao.warehouse import schedule


def _graph(*edges: tuple[str, str], nodes: tuple[str, ...] = ()) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


class _Manifest:
    """What dbt's queue reads of a manifest: each node's kind, by id."""

    def __init__(self, *ids: str):
        self.nodes = {node_id: SimpleNamespace(unique_id=node_id, resource_type=node_id.split(".")[0],
                                               language="python" if "py_" in node_id else "sql") for node_id in ids}

    def expect(self, node_id: str):
        return self.nodes[node_id]


def _queue(graph: nx.DiGraph) -> GraphQueue:
    return GraphQueue(graph, _Manifest(*graph.nodes), set(graph.nodes))


def _run_one_at_a_time(queue: GraphQueue) -> list[str]:
    order = []
    while not queue.empty():
        node = queue.get()
        order.append(node.unique_id)
        queue.mark_done(node.unique_id)
    return order


def test_a_nodes_remaining_path_is_its_own_seconds_plus_its_longest_way_to_the_end():
    graph = _graph(("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"), nodes=("e",))
    seconds = {"a": 1.0, "b": 5.0, "c": 2.0, "d": 0.5, "e": 3.0}
    assert schedule.remaining_paths(graph, seconds.__getitem__) == {"a": 6.5, "b": 5.5, "c": 2.5, "d": 0.5, "e": 3.0}


def test_a_node_never_timed_is_costed_by_its_kind():
    costs = schedule.DEFAULT_COSTS
    assert schedule.default_cost(SimpleNamespace(resource_type="model", language="python")) == costs["python"]
    assert schedule.default_cost(SimpleNamespace(resource_type="model", language="sql")) == costs["sql"]
    assert schedule.default_cost(SimpleNamespace(resource_type="test", language="sql")) == costs["test"]
    assert schedule.default_cost(SimpleNamespace(resource_type="seed", language="sql")) == costs["seed"]
    assert costs["python"] > costs["sql"] > costs["test"]


def test_a_node_that_begins_the_long_chain_overtakes_nodes_that_were_ready_before_it():
    # dbt's own order is by depth: the short staging models first, then the long chain's second node.
    graph = _graph(("model.stage_reviews", "model.py_sentiment"), ("model.py_sentiment", "model.py_score"),
                   nodes=("model.stage_a", "model.stage_b", "model.stage_c"))
    assert _run_one_at_a_time(_queue(graph.copy())) == [
        "model.stage_a", "model.stage_b", "model.stage_c", "model.stage_reviews", "model.py_sentiment",
        "model.py_score"]
    with schedule.longest_path_first({}, threads=1):
        order = _run_one_at_a_time(_queue(graph.copy()))
    assert order == ["model.stage_reviews", "model.py_sentiment", "model.py_score",
                     "model.stage_a", "model.stage_b", "model.stage_c"]


def test_recorded_seconds_decide_the_order_over_the_kinds_guess():
    graph = _graph(nodes=("model.py_fast", "model.slow_sql"))
    with schedule.longest_path_first({"model.py_fast": 0.2, "model.slow_sql": 9.0}, threads=1):
        assert _run_one_at_a_time(_queue(graph)) == ["model.slow_sql", "model.py_fast"]


def test_a_node_is_handed_out_only_when_a_thread_is_free():
    graph = _graph(nodes=("model.a", "model.b", "model.c"))
    with schedule.longest_path_first({}, threads=2):
        queue = _queue(graph)
        first, second = queue.get(), queue.get()
        third: list = []
        waiting = threading.Thread(target=lambda: third.append(queue.get()))
        waiting.start()
        waiting.join(timeout=0.3)
        assert waiting.is_alive() and not third, "a third node was handed out while both threads were busy"
        queue.mark_done(first.unique_id)
        waiting.join(timeout=5)
        assert [node.unique_id for node in third] == ["model.c"]
        queue.mark_done(second.unique_id)
        queue.mark_done("model.c")
        assert queue.empty()


def test_dbts_own_queue_comes_back_after_the_block_and_after_a_failure():
    originals = (GraphQueue._get_scores, GraphQueue.get, GraphQueue.mark_done)
    with pytest.raises(RuntimeError), schedule.longest_path_first({}, threads=2):
        assert GraphQueue.get is not originals[1]
        raise RuntimeError("dbt failed")
    assert (GraphQueue._get_scores, GraphQueue.get, GraphQueue.mark_done) == originals


def test_the_node_times_of_a_run_are_added_to_those_recorded_and_an_unreadable_record_costs_only_the_order(tmp_path):
    own, shared = tmp_path / "target" / "node_costs.json", tmp_path / "cache" / "node_costs.json"
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"results": [{"unique_id": "model.a", "execution_time": 1.23456},
                                                   {"unique_id": "test.t", "execution_time": 0.02}]}))
    schedule.record_costs(run_results, own, shared)
    assert schedule.load_costs(own) == schedule.load_costs(shared) == {"model.a": 1.235, "test.t": 0.02}

    run_results.write_text(json.dumps({"results": [{"unique_id": "model.a", "execution_time": 2.0}]}))
    schedule.record_costs(run_results, own)
    assert schedule.load_costs(own, shared) == {"model.a": 2.0, "test.t": 0.02}, "a selective run keeps the others"
    assert schedule.load_costs(shared) == {"model.a": 1.235, "test.t": 0.02}

    own.write_text("{not json")
    assert schedule.load_costs(own, shared) == {"model.a": 1.235, "test.t": 0.02}, "the next readable record"
    assert schedule.load_costs(tmp_path / "missing.json") == {}
    run_results.write_text("{not json")
    schedule.record_costs(run_results, shared)
    assert schedule.load_costs(shared) == {"model.a": 1.235, "test.t": 0.02}
