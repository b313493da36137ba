"""Department scoring: the general engine applied to the indicator catalogue (部门绩效评分).

One spec is generated per department type and catalogue state (the indicator versions valid in a
month), so a re-weighted or retired indicator changes only the months it applies to. The spec's
tree (see ``scoring/DEPARTMENT.md``)::

    overall (360度综合得分)
    ├── composite = superior part (指标综合得分) ── dimension:<bsc> ── <indicator_code>
    ├── 360:recipients ── 360:recipients:<REVIEW_SATISFACTION | HOTLINE_SATISFACTION>
    ├── 360:third_party ── 360:appraisal:third_party
    └── 360:peer_self ── 360:appraisal:peer, 360:appraisal:self

A second tree, goals ``mission:<code> ── goal:<code> ── <indicator_code>``, scores the
使命 → 战略目标 → 指标 chain from the same normalised indicators. 容错 exemptions enter the engine
as exclusions, only where the indicator missed its target; every department × month is scored
with and without them so the audit trail can show what each exemption changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from jixiao.scoring.engine import score
from jixiao.scoring.grades import grade, rank_within

CONFIG_PATH = Path(__file__).parent / "config" / "department.yaml"
DIMENSIONS = ("mission", "strategy", "public", "process", "growth")
COLUMNS = {"unit": "dept_code", "period": "period", "indicator": "indicator_code", "value": "value"}
APPRAISAL_PREFIX = "360:appraisal:"
RECIPIENT_PREFIX = "360:recipients:"


ITEM_SCHEMA = {
    "dept_code": "varchar", "period": "varchar", "tree": "varchar", "item": "varchar", "item_name": "varchar",
    "kind": "varchar", "parent": "varchar", "depth": "bigint", "indicator_code": "varchar", "dimension": "varchar",
    "raw": "double", "treated": "double", "score": "double", "weight": "double", "effective_weight": "double",
    "contribution": "double", "coverage": "double", "status": "varchar", "exempted": "boolean", "exemption": "varchar",
    "baseline_score": "double", "baseline_contribution": "double", "baseline_status": "varchar",
}
SCORE_SCHEMA = {
    "dept_code": "varchar", "period": "varchar", "dept_type": "varchar", "region_code": "varchar",
    **{f"{name}_score": "double" for name in ("composite", *DIMENSIONS, "superior", "recipients", "third_party",
                                               "peer_self", "overall")},
    "composite_coverage": "double", "composite_status": "varchar", "overall_coverage": "double",
    "overall_status": "varchar", "n_indicators": "bigint", "n_indicators_with_data": "bigint", "n_exempted": "bigint",
    "grade": "varchar", "rank_in_type": "bigint", "n_scored_in_type": "bigint", "rank_in_region": "bigint",
    "n_scored_in_region": "bigint",
}


def empty_table_sql(schema: dict[str, str]) -> str:
    """A query for an empty table with ``schema`` (a dbt Python model's result before any data landed)."""
    return "select " + ", ".join(f"null::{kind} as {name}" for name, kind in schema.items()) + " limit 0"


def load_config(path: str | Path = CONFIG_PATH) -> dict:
    """The department scoring configuration (``scoring/config/department.yaml``)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def indicator_spec(catalogue: list[dict], config: dict, tree: str = "overall") -> dict:
    """Engine spec for one department type and month from its catalogue rows.

    ``catalogue``: one dict per indicator with indicator_code, indicator_name, dimension, goal_code,
    mission_code, direction, target, weight. ``tree``: ``overall`` (360 over the BSC composite) or ``goals``.
    """
    normalise = config["indicators"]["normalise"]
    rows = sorted(catalogue, key=lambda r: r["indicator_code"])
    indicators = {r["indicator_code"]: {"name": r["indicator_name"], "direction": r["direction"],
                                        "normalise": {**normalise, "target": float(r["target"])}} for r in rows}
    nodes: dict[str, dict] = {}
    if tree == "goals":
        missions: dict[str, dict[str, float]] = {}
        for r in rows:
            goal = nodes.setdefault(f"goal:{r['goal_code']}", {"children": {}})
            goal["children"][r["indicator_code"]] = float(r["weight"])
            mission = missions.setdefault(f"mission:{r['mission_code']}", {})
            mission[f"goal:{r['goal_code']}"] = mission.get(f"goal:{r['goal_code']}", 0.0) + float(r["weight"])
        nodes |= {m: {"children": goals} for m, goals in missions.items()}
        nodes["goals"] = {"name": "使命-目标综合", "children": {m: 1.0 for m in missions}}
        return _spec(indicators, nodes, "goals")

    composite = config["composite"]
    dimensions = composite["dimensions"]
    for r in rows:
        node = nodes.setdefault(f"dimension:{r['dimension']}", {"name": dimensions[r["dimension"]]["name"], "children": {}})
        node["children"][r["indicator_code"]] = float(r["weight"])
    nodes["composite"] = {"name": composite["name"], "min_coverage": composite["min_coverage"],
                          "children": {f"dimension:{d}": float(dimensions[d]["weight"])
                                       for d in dimensions if f"dimension:{d}" in nodes}}
    evaluation = config["evaluation_360"]
    components = evaluation["components"]
    as_points = {"method": "goalposts", "lower": 0, "upper": 100}
    overall_children = {"composite": float(components["superior"]["weight"])}
    for name, component in components.items():
        leaves = {f"{RECIPIENT_PREFIX}{code}": w for code, w in component.get("indicators", {}).items()}
        leaves |= {f"{APPRAISAL_PREFIX}{e}": w for e, w in component.get("evaluators", {}).items()}
        if not leaves:
            continue
        for leaf in leaves:
            indicators[leaf] = {"name": leaf.rsplit(":", 1)[1], "normalise": as_points}
        nodes[f"360:{name}"] = {"name": component["name"], "children": {k: float(w) for k, w in leaves.items()}}
        overall_children[f"360:{name}"] = float(component["weight"])
    nodes["overall"] = {"name": evaluation["name"], "min_coverage": evaluation["min_coverage"],
                        "children": overall_children}
    return _spec(indicators, nodes, "overall")


def _spec(indicators: dict, nodes: dict, root: str) -> dict:
    return {"version": 1, "columns": COLUMNS, "reference": "period", "root": root,
            "indicators": indicators, "nodes": nodes}


def appraisal_components(appraisal: pd.DataFrame, periods, valid_months: int) -> pd.DataFrame:
    """Mean accepted appraisal score per department × month × evaluator type.

    A month takes the latest appraisal period at most ``valid_months - 1`` months before it
    (appraisals are quarterly). Columns: dept_code, period, evaluator_type, value, source_period.
    """
    columns = ["dept_code", "period", "evaluator_type", "value", "source_period"]
    if appraisal.empty:
        return pd.DataFrame(columns=columns)
    means = appraisal.groupby(["dept_code", "period", "evaluator_type"], as_index=False)["score"].mean()
    means["month"] = month_number(means["period"])
    wanted = pd.Index(sorted(set(periods)))
    found = []
    for lag in range(valid_months):
        shifted = means.assign(month=means["month"] + lag, source_period=means["period"], lag=lag)
        found.append(shifted)
    candidates = pd.concat(found)
    candidates["period"] = _period_label(candidates["month"])
    candidates = candidates[candidates["period"].isin(wanted)]
    best = candidates.sort_values("lag").drop_duplicates(["dept_code", "period", "evaluator_type"])
    return best.rename(columns={"score": "value"})[columns].reset_index(drop=True)


def month_number(period: pd.Series) -> pd.Series:
    return period.str.slice(0, 4).astype(int) * 12 + period.str.slice(5, 7).astype(int) - 1


def _period_label(month: pd.Series) -> pd.Series:
    return (month // 12).astype(str) + "-" + (month % 12 + 1).astype(str).str.zfill(2)


def engine_values(indicator_values: pd.DataFrame, appraisal: pd.DataFrame, config: dict) -> pd.DataFrame:
    """Long values table for the engine: catalogue indicators plus the 360 leaves, every
    department × month × leaf present (missing values stay missing)."""
    base = indicator_values[["dept_code", "period", "indicator_code", "value"]]
    grid = base[["dept_code", "period"]].drop_duplicates()
    parts = [base]
    components = config["evaluation_360"]["components"]
    for component in components.values():
        for code in component.get("indicators", {}):
            rows = base[base["indicator_code"] == code][["dept_code", "period", "value"]]
            leaf = grid.merge(rows, how="left", on=["dept_code", "period"])
            parts.append(leaf.assign(indicator_code=f"{RECIPIENT_PREFIX}{code}"))
    scores = appraisal_components(appraisal, grid["period"].unique(), config["evaluation_360"]["appraisal_valid_months"])
    for evaluator in (e for c in components.values() for e in c.get("evaluators", {})):
        rows = scores[scores["evaluator_type"] == evaluator][["dept_code", "period", "value"]]
        leaf = grid.merge(rows, how="left", on=["dept_code", "period"])
        parts.append(leaf.assign(indicator_code=f"{APPRAISAL_PREFIX}{evaluator}"))
    return pd.concat(parts, ignore_index=True)[["dept_code", "period", "indicator_code", "value"]]


def score_departments(indicator_values: pd.DataFrame, departments: pd.DataFrame, appraisal: pd.DataFrame,
                      exemptions: pd.DataFrame, goals: pd.DataFrame, config: dict | None = None,
                      exclusions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every department × month of ``indicator_values`` (the ``fct_indicator_value`` mart).

    Returns one row per department × month × item (nodes and indicators) of both trees
    (``tree``: overall, goals) with the engine's score, weights, contribution, coverage and status,
    the same without exemptions (``baseline_*``) and the exemption applied (``exemption``).

    ``departments``: dept_code, dept_type. ``appraisal``: accepted scores (dept_code, period,
    evaluator_type, score). ``exemptions``: the 容错 registry (exemption_id, dept_code, indicator_code,
    period, reason, approver, approved_on). ``goals``: goal_code, mission_code. ``exclusions``: values the
    data-validity rules take out of scoring (dept_code, indicator_code, period, reason; ``fct_scoring_exclusion``),
    excluded always, in the baseline too, and shown like exemptions.
    """
    config = config or load_config()
    catalogue = (indicator_values.drop(columns=["value"])
                 .merge(departments[["dept_code", "dept_type"]], on="dept_code")
                 .merge(goals[["goal_code", "mission_code"]], on="goal_code", how="left"))
    catalogue = catalogue[["dept_type", "period", "indicator_code", "indicator_name", "dimension", "goal_code",
                           "mission_code", "direction", "target", "weight"]].drop_duplicates(["dept_type", "period", "indicator_code"])
    values = engine_values(indicator_values, appraisal, config)
    values = values.merge(departments[["dept_code", "dept_type"]], on="dept_code")
    registry = _registry(exemptions, indicator_values)
    invalid = _invalid_values(exclusions, config)

    item_parts = []
    for tree in ("overall", "goals"):
        tree_values = values if tree == "overall" else values[~values["indicator_code"].str.startswith("360:")]
        states, spec_of_state = _catalogue_states(catalogue, config, tree)
        keyed = tree_values.merge(states, on=["dept_type", "period"])
        for state, subset in keyed.groupby("state", sort=True):
            items = _score_with_exemptions(subset.drop(columns=["dept_type", "state"]), spec_of_state[state], registry,
                                           invalid)
            item_parts.append(items.assign(tree=tree))
    return _label_items(pd.concat(item_parts, ignore_index=True), catalogue)


def _registry(exemptions: pd.DataFrame, indicator_values: pd.DataFrame) -> pd.DataFrame:
    """Registry entries whose department × indicator × month is scored (others cannot apply)."""
    registry = exemptions.assign(period=exemptions["period"].astype(str))
    scored = indicator_values[["dept_code", "period", "indicator_code"]].drop_duplicates()
    return registry.merge(scored, on=["dept_code", "period", "indicator_code"])


def _invalid_values(exclusions: pd.DataFrame | None, config: dict) -> pd.DataFrame:
    """Data-validity exclusions, extended to the 360 leaves that score the same indicator (service recipients)."""
    columns = ["dept_code", "period", "indicator_code", "reason"]
    if exclusions is None or exclusions.empty:
        return pd.DataFrame(columns=columns)
    rows = exclusions[columns].astype({"period": str})
    leaves = {code for component in config["evaluation_360"]["components"].values() for code in component.get("indicators", {})}
    recipients = rows[rows["indicator_code"].isin(leaves)].assign(indicator_code=lambda f: RECIPIENT_PREFIX + f["indicator_code"])
    return pd.concat([rows, recipients], ignore_index=True)


def _catalogue_states(catalogue: pd.DataFrame, config: dict, tree: str) -> tuple[pd.DataFrame, list[dict]]:
    """Distinct specs over department types and months: (dept_type, period, state) and the spec of each state.
    Types without type-specific indicators share one spec, so they are scored in one engine run."""
    rows_by_key: dict[tuple[str, str], list[dict]] = {}
    for row in catalogue.to_dict("records"):
        rows_by_key.setdefault((row["dept_type"], row["period"]), []).append(row)
    state_of_spec: dict[str, int] = {}
    specs, keys = [], []
    for (dept_type, period), rows in rows_by_key.items():
        spec = indicator_spec(rows, config, tree)
        text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
        if text not in state_of_spec:
            state_of_spec[text] = len(specs)
            specs.append(spec)
        keys.append((dept_type, period, state_of_spec[text]))
    return pd.DataFrame(keys, columns=["dept_type", "period", "state"]), specs


def _score_with_exemptions(values: pd.DataFrame, spec: dict, registry: pd.DataFrame,
                           invalid: pd.DataFrame) -> pd.DataFrame:
    """Long items scored with the exemptions that cover a missed target (or missing data), plus the
    baseline scored without any exemption; invalid values are excluded from both."""
    invalid = invalid.merge(values[["dept_code", "period", "indicator_code"]].drop_duplicates(),
                            on=["dept_code", "period", "indicator_code"])
    baseline = score(values, spec, exclusions=invalid if len(invalid) else None)
    base_long = baseline.to_long()
    candidates = registry[registry["dept_code"].isin(values["dept_code"].unique())
                          & registry["period"].isin(values["period"].unique())]
    result_long = base_long
    if len(candidates):
        attainment = baseline.normalised.stack(future_stack=True).rename("attainment").reset_index()
        attainment.columns = ["dept_code", "period", "indicator_code", "attainment"]
        candidates = candidates.merge(attainment, on=["dept_code", "period", "indicator_code"])
        full = [float(spec["indicators"][code]["normalise"].get("range", [0, 100])[1]) for code in candidates["indicator_code"]]
        missed = candidates[candidates["attainment"].isna() | (candidates["attainment"] < full)]
        if len(missed):
            exclusions = missed[["dept_code", "period", "indicator_code"]].assign(
                reason=missed["exemption_id"].astype(str) + "：" + missed["reason"].astype(str))
            result_long = score(values, spec, exclusions=pd.concat([invalid, exclusions], ignore_index=True)).to_long()
    return result_long.assign(baseline_value=base_long["value"].to_numpy(),
                              baseline_contribution=base_long["contribution"].to_numpy(),
                              baseline_status=base_long["status"].astype(str).to_numpy())


def _label_items(items: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Plain columns (no categoricals), with the catalogue's labels for indicators."""
    for column in ("item", "kind", "parent", "status"):
        items[column] = items[column].astype(str)
    items["parent"] = items["parent"].replace({"nan": None, "": None})
    labels = catalogue.drop_duplicates("indicator_code").set_index("indicator_code")
    is_indicator = items["item"].isin(labels.index)
    items["indicator_code"] = items["item"].where(is_indicator)
    items["dimension"] = items["indicator_code"].map(labels["dimension"])
    items["item_name"] = items["item"].map(labels["indicator_name"]).fillna(items["item"].map(_node_names()))
    items["exempted"] = items["excluded_reason"].notna()
    items = items.rename(columns={"value": "score", "baseline_value": "baseline_score", "excluded_reason": "exemption"})
    return items[list(ITEM_SCHEMA)].reset_index(drop=True)


def _node_names() -> dict[str, str]:
    config = load_config()
    names = {"overall": config["evaluation_360"]["name"], "composite": config["composite"]["name"], "goals": "使命-目标综合"}
    names |= {f"dimension:{d}": v["name"] for d, v in config["composite"]["dimensions"].items()}
    names |= {f"360:{c}": v["name"] for c, v in config["evaluation_360"]["components"].items()}
    names |= {f"{APPRAISAL_PREFIX}{e}": f"{e} 评价" for e in ("superior", "third_party", "peer", "self")}
    return names


def dept_score_table(items: pd.DataFrame, departments: pd.DataFrame, config: dict | None = None) -> pd.DataFrame:
    """One row per department × month: composite, dimensions, 360 components, overall, grade, ranks."""
    config = config or load_config()
    main = items[items["tree"] == "overall"]
    keys = ["dept_code", "period"]
    nodes = main[main["kind"] == "node"]
    wide = nodes.pivot(index=keys, columns="item", values="score")
    coverage = nodes.pivot(index=keys, columns="item", values="coverage")
    status = nodes.pivot(index=keys, columns="item", values="status")
    table = pd.DataFrame(index=wide.index)
    table["composite_score"] = wide["composite"]
    for dimension in DIMENSIONS:
        table[f"{dimension}_score"] = wide.get(f"dimension:{dimension}")
    table["superior_score"] = wide["composite"]
    for component in ("recipients", "third_party", "peer_self"):
        table[f"{component}_score"] = wide.get(f"360:{component}")
    table["overall_score"] = wide["overall"]
    table["composite_coverage"] = coverage["composite"]
    table["composite_status"] = status["composite"]
    table["overall_coverage"] = coverage["overall"]
    table["overall_status"] = status["overall"]
    indicators = main[main["kind"] == "indicator"].assign(has_data=lambda f: f["raw"].notna())
    catalogue = indicators[indicators["indicator_code"].notna()].groupby(keys)
    table["n_indicators"] = catalogue.size()
    table["n_indicators_with_data"] = catalogue["has_data"].sum()
    table["n_exempted"] = catalogue["exempted"].sum()
    table = table.reset_index().merge(departments[["dept_code", "dept_type", "region_code"]], on="dept_code")
    published = table["overall_score"].round(config["grades"]["decimals"])
    table["grade"] = grade(published)
    table["rank_in_type"] = rank_within(table.assign(s=published), "s", by=["period", "dept_type"]).array
    table["rank_in_region"] = rank_within(table.assign(s=published), "s", by=["period", "region_code"]).array
    scored = table["overall_score"].notna()
    table["n_scored_in_type"] = scored.groupby([table["period"], table["dept_type"]]).transform("sum").astype(int)
    table["n_scored_in_region"] = scored.groupby([table["period"], table["region_code"]]).transform("sum").astype(int)
    return table.sort_values(keys)[list(SCORE_SCHEMA)].reset_index(drop=True)
