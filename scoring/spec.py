"""The scoring spec: a YAML file describing indicators and the hierarchy.

See ``scoring/SPEC.md`` for the format. ``load_spec`` parses and validates a
file or a mapping and raises ``SpecError`` listing every problem found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jixiao.scoring.aggregate import AGGREGATION_METHODS
from jixiao.scoring.errors import SpecError
from jixiao.scoring.normalise import METHODS as NORMALISE_METHODS
from jixiao.scoring.transform import LOG_VARIANTS

DIRECTIONS = ("higher", "lower")
REFERENCES = ("period", "pooled")
TOP_KEYS = {"version", "name", "description", "columns", "reference", "defaults", "root", "indicators", "nodes"}
COLUMN_KEYS = ("unit", "period", "indicator", "value")
DEFAULT_KEYS = {"min_coverage", "method", "direction", "normalise", "transform"}
INDICATOR_KEYS = {"name", "description", "direction", "transform", "normalise"}
NODE_KEYS = {"name", "description", "method", "children", "min_coverage", "cap"}
TRANSFORMS = {
    "log": ((), ("variant",)),
    "winsorise": ((), ("skew", "kurtosis", "max_points", "fallback")),
}


@dataclass(frozen=True)
class Step:
    """One transform or normalisation step: a method name and its parameters."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    name: str
    direction: str
    transforms: tuple[Step, ...]
    normalise: Step


@dataclass(frozen=True)
class NodeSpec:
    id: str
    name: str
    method: str
    children: tuple[tuple[str, float], ...]
    min_coverage: float
    cap: tuple[str, ...] = ()
    """Children whose weight together may be at most ``max_share`` of the node's (see aggregate)."""
    max_share: float | None = None


@dataclass(frozen=True)
class Columns:
    """Names of the columns of the values table."""

    unit: str = "unit"
    period: str = "period"
    indicator: str = "indicator"
    value: str = "value"


@dataclass(frozen=True)
class Spec:
    """A validated spec. ``order`` lists nodes children-first (aggregation order)."""

    name: str
    columns: Columns
    reference: str
    indicators: dict[str, IndicatorSpec]
    nodes: dict[str, NodeSpec]
    root: str
    order: tuple[str, ...]
    parents: dict[str, str]

    def tree(self) -> list[tuple[str, int]]:
        """Every node and indicator as ``(id, depth)`` in pre-order from the root."""
        out: list[tuple[str, int]] = []
        stack = [(self.root, 0)]
        while stack:
            item, depth = stack.pop()
            out.append((item, depth))
            if item in self.nodes:
                stack.extend((child, depth + 1) for child, _ in reversed(self.nodes[item].children))
        return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that rejects duplicate keys instead of keeping the last one."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SpecError([f"duplicate key {key!r} at line {key_node.start_mark.line + 1}; each id may appear once"])
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_spec(source: str | Path | dict | Spec) -> Spec:
    """Load and validate a spec from a YAML file path, a mapping, or pass a ``Spec`` through."""
    if isinstance(source, Spec):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise SpecError([f"spec file not found: {path}"])
        try:
            source = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except yaml.YAMLError as exc:
            raise SpecError([f"{path} is not valid YAML: {exc}"]) from exc
    return parse_spec(source)


def parse_spec(raw: Any) -> Spec:
    """Validate a spec mapping (as loaded from YAML) and build a ``Spec``."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise SpecError(["the spec must be a mapping with keys 'indicators' and 'nodes'"])
    _unknown_keys(raw, TOP_KEYS, "the spec", problems)
    if raw.get("version", 1) != 1:
        problems.append(f"version {raw.get('version')!r} is not supported; use version: 1")

    columns = _parse_columns(raw.get("columns") or {}, problems)
    reference = raw.get("reference", "period")
    if reference not in REFERENCES:
        problems.append(f"reference must be one of {', '.join(REFERENCES)}, got {reference!r}")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append("defaults must be a mapping")
        defaults = {}
    _unknown_keys(defaults, DEFAULT_KEYS, "defaults", problems)

    indicators = {}
    for ind_id, body in _mapping(raw, "indicators", problems).items():
        indicator = _parse_indicator(str(ind_id), body, defaults, problems)
        if indicator:
            indicators[indicator.id] = indicator
    nodes = {}
    for node_id, body in _mapping(raw, "nodes", problems).items():
        node = _parse_node(str(node_id), body, defaults, problems)
        if node:
            nodes[node.id] = node
    for clash in sorted(set(indicators) & set(nodes)):
        problems.append(f"'{clash}' is declared both as an indicator and as a node; ids must be unique")

    root, order, parents = _check_hierarchy(nodes, indicators, raw.get("root"), problems)
    if problems:
        raise SpecError(problems)
    return Spec(
        name=str(raw.get("name", "")),
        columns=columns,
        reference=reference,
        indicators=indicators,
        nodes=nodes,
        root=root,
        order=order,
        parents=parents,
    )


def _mapping(raw: dict, key: str, problems: list[str]) -> dict:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        problems.append(f"'{key}' must be a non-empty mapping of id -> definition")
        return {}
    return value


def _unknown_keys(body: dict, allowed: set, where: str, problems: list[str]) -> None:
    for key in sorted(set(body) - allowed, key=str):
        problems.append(f"unknown key {key!r} in {where}; allowed: {', '.join(sorted(allowed))}")


def _parse_columns(raw: Any, problems: list[str]) -> Columns:
    if not isinstance(raw, dict):
        problems.append("columns must be a mapping like {unit: dept_code, period: month}")
        return Columns()
    _unknown_keys(raw, set(COLUMN_KEYS), "columns", problems)
    names = {k: raw.get(k, getattr(Columns, k)) for k in COLUMN_KEYS}
    for key, name in names.items():
        if not isinstance(name, str) or not name:
            problems.append(f"columns.{key} must be a column name, got {name!r}")
    if len(set(names.values())) < len(names):
        problems.append(f"columns must all differ, got {names}")
    return Columns(**names)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _parse_step(raw: Any, kind: str, where: str, allowed: dict, problems: list[str]) -> Step | None:
    if isinstance(raw, str):
        raw = {"method": raw}
    if not isinstance(raw, dict) or "method" not in raw:
        problems.append(f"{where}: {kind} must be a mapping with a 'method' key")
        return None
    params = {k: v for k, v in raw.items() if k != "method"}
    method = raw["method"]
    if method not in allowed:
        problems.append(f"{where}: unknown {kind} method {method!r}; use one of {', '.join(sorted(allowed))}")
        return None
    required, optional = allowed[method]
    for key in required:
        if key not in params:
            problems.append(f"{where}: {kind} method {method!r} needs parameter {key!r}")
    for key in sorted(set(params) - set(required) - set(optional)):
        problems.append(
            f"{where}: unknown parameter {key!r} for {kind} method {method!r}; "
            f"allowed: {', '.join(required + optional) or 'none'}"
        )
    return Step(method, params)


def _check_transform(step: Step, where: str, problems: list[str]) -> None:
    p = step.params
    if step.method == "log" and p.get("variant", "plain") not in LOG_VARIANTS:
        problems.append(f"{where}: log variant must be one of {', '.join(LOG_VARIANTS)}, got {p['variant']!r}")
    if step.method == "winsorise":
        if not _is_number(p.get("skew", 2.0)) or p.get("skew", 2.0) <= 0:
            problems.append(f"{where}: winsorise skew must be a number > 0")
        if not _is_number(p.get("kurtosis", 3.5)):
            problems.append(f"{where}: winsorise kurtosis must be a number")
        max_points = p.get("max_points", 5)
        if not isinstance(max_points, int) or isinstance(max_points, bool) or max_points < 1:
            problems.append(f"{where}: winsorise max_points must be an integer >= 1")
        if p.get("fallback", "none") not in ("none", "log"):
            problems.append(f"{where}: winsorise fallback must be 'none' or 'log'")


def _parse_indicator(ind_id: str, body: Any, defaults: dict, problems: list[str]) -> IndicatorSpec | None:
    where = f"indicator '{ind_id}'"
    body = {} if body is None else body
    if not isinstance(body, dict):
        problems.append(f"{where} must be a mapping")
        return None
    _unknown_keys(body, INDICATOR_KEYS, where, problems)
    direction = body.get("direction", defaults.get("direction", "higher"))
    if direction not in DIRECTIONS:
        problems.append(f"{where}: direction must be 'higher' or 'lower' (which is better), got {direction!r}")
        direction = "higher"

    raw_transforms = body.get("transform", defaults.get("transform", []))
    if isinstance(raw_transforms, (dict, str)):
        raw_transforms = [raw_transforms]
    transforms = []
    for raw in raw_transforms or []:
        step = _parse_step(raw, "transform", where, TRANSFORMS, problems)
        if step:
            _check_transform(step, where, problems)
            transforms.append(step)

    raw_normalise = body.get("normalise", defaults.get("normalise"))
    if raw_normalise is None:
        problems.append(f"{where}: no normalise method (set one here or under defaults.normalise)")
        return None
    allowed = {name: (m.required, m.optional) for name, m in NORMALISE_METHODS.items()}
    step = _parse_step(raw_normalise, "normalise", where, allowed, problems)
    if step is None or any(k not in step.params for k in allowed[step.method][0]):
        return None
    for problem in NORMALISE_METHODS[step.method].check(step.params, direction):
        problems.append(f"{where}: {problem}")
    return IndicatorSpec(ind_id, str(body.get("name", ind_id)), direction, tuple(transforms), step)


def _parse_node(node_id: str, body: Any, defaults: dict, problems: list[str]) -> NodeSpec | None:
    where = f"node '{node_id}'"
    if not isinstance(body, dict):
        problems.append(f"{where} must be a mapping with 'children'")
        return None
    _unknown_keys(body, NODE_KEYS, where, problems)
    method = body.get("method", defaults.get("method", "arithmetic"))
    if method not in AGGREGATION_METHODS:
        problems.append(f"{where}: unknown aggregation method {method!r}; use one of {', '.join(AGGREGATION_METHODS)}")
    min_coverage = body.get("min_coverage", defaults.get("min_coverage", 0.0))
    if not _is_number(min_coverage) or not 0 <= min_coverage <= 1:
        problems.append(f"{where}: min_coverage must be a share of weight between 0 and 1, got {min_coverage!r}")
    raw_children = body.get("children")
    if not isinstance(raw_children, dict) or not raw_children:
        problems.append(f"{where}: children must be a non-empty mapping of child id -> weight")
        return None
    children = []
    for child, weight in raw_children.items():
        if not _is_number(weight) or weight <= 0:
            problems.append(
                f"{where}: weight of child '{child}' must be a number > 0, got {weight!r} "
                "(remove the child instead of giving it weight 0)"
            )
            continue
        children.append((str(child), float(weight)))
    cap, max_share = _parse_cap(body.get("cap"), {c for c, _ in children}, where, problems)
    return NodeSpec(node_id, str(body.get("name", node_id)), method, tuple(children), float(min_coverage or 0.0),
                    cap, max_share)


def _parse_cap(raw: Any, children: set[str], where: str, problems: list[str]) -> tuple[tuple[str, ...], float | None]:
    """``cap: {children: [...], max_share: s}``: those children together carry at most share s (0 < s < 1)."""
    if raw is None:
        return (), None
    if not isinstance(raw, dict) or set(raw) != {"children", "max_share"}:
        problems.append(f"{where}: cap must be a mapping with exactly 'children' (a list of child ids) and 'max_share'")
        return (), None
    capped = raw["children"]
    if not isinstance(capped, list) or not capped:
        problems.append(f"{where}: cap.children must be a non-empty list of child ids")
        return (), None
    for child in capped:
        if child not in children:
            problems.append(f"{where}: cap.children names '{child}', which is not a child of the node")
    share = raw["max_share"]
    if not _is_number(share) or not 0 < share < 1:
        problems.append(f"{where}: cap.max_share must be a share strictly between 0 and 1, got {share!r}")
        return (), None
    return tuple(str(c) for c in capped), float(share)


def _check_hierarchy(nodes, indicators, declared_root, problems) -> tuple[str, tuple[str, ...], dict[str, str]]:
    parents: dict[str, str] = {}
    for node in nodes.values():
        for child, _ in node.children:
            if child not in nodes and child not in indicators:
                problems.append(
                    f"node '{node.id}': child '{child}' is neither a node nor an indicator; "
                    "fix the id or declare it under 'indicators' or 'nodes'"
                )
            elif child in parents:
                problems.append(f"'{child}' is a child of both '{parents[child]}' and '{node.id}'; each item needs one parent")
            else:
                parents[child] = node.id

    _report_cycles(nodes, problems)
    if declared_root is not None:
        if declared_root not in nodes:
            problems.append(f"root '{declared_root}' is not a declared node")
            return "", (), parents
        root = declared_root
    else:
        tops = sorted(n for n in nodes if n not in parents)
        if len(tops) != 1:
            problems.append(
                f"the hierarchy needs exactly one top node, found {tops or 'none'}; "
                "set 'root:' or attach the other nodes under it"
            )
            return "", (), parents
        root = tops[0]
    if root in parents:
        problems.append(f"root '{root}' must not be a child of '{parents[root]}'")
        return root, (), parents

    order, reached = [], set()
    _post_order(root, nodes, order, reached)
    for item in sorted((set(nodes) | set(indicators)) - reached):
        kind = "node" if item in nodes else "indicator"
        problems.append(f"{kind} '{item}' is not reachable from root '{root}'; attach it to a node or remove it")
    return root, tuple(order), parents


def _report_cycles(nodes, problems) -> None:
    state: dict[str, int] = {}

    def visit(node_id, path):
        state[node_id] = 1
        for child, _ in nodes[node_id].children:
            if child not in nodes:
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child]
                problems.append(f"cycle in the hierarchy: {' -> '.join(cycle)}")
            elif child not in state:
                visit(child, path + [child])
        state[node_id] = 2

    for node_id in sorted(nodes):
        if node_id not in state:
            visit(node_id, [node_id])


def _post_order(node_id, nodes, order, reached) -> None:
    if node_id in reached:
        return
    reached.add(node_id)
    for child, _ in nodes[node_id].children:
        if child in nodes:
            _post_order(child, nodes, order, reached)
        else:
            reached.add(child)
    order.append(node_id)
