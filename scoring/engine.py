"""The scoring engine: values + spec -> scores, contributions and audit trail.

``score`` takes indicator values (long: unit, period, indicator, value; or wide:
unit, period and one column per indicator), runs each indicator's transforms and
normalisation within its reference group (each period, or all periods pooled),
and aggregates bottom-up through the hierarchy.

Contribution: every node and indicator gets an ``effective_weight`` and a
``contribution`` = effective weight x its value, and the contributions of the
indicators under any node add up to that node's own contribution (the root's
contribution is its score). Through arithmetic nodes the effective weight is
the product of the renormalised weights on the path. A geometric or harmonic
node also multiplies its children's effective weights by its ``balance`` (its
score / the weighted arithmetic mean of its children, <= 1): the score is split
in proportion to weight x value, and the penalty for an unbalanced profile is
shared pro rata. It is an allocation, not a marginal effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jixiao.scoring.aggregate import EXCLUDED, STATUS_NAMES, NodeResult, aggregate
from jixiao.scoring.errors import ScoringError
from jixiao.scoring.groups import Groups
from jixiao.scoring.normalise import normalise
from jixiao.scoring.spec import Spec, load_spec
from jixiao.scoring.transform import log, winsorise

MISSING = len(STATUS_NAMES)
ITEM_STATUS = list(STATUS_NAMES) + ["missing"]
_DENSE_KEY_LIMIT = 50_000_000


@dataclass
class ScoreResult:
    """Everything ``score`` computed. Wide frames are indexed by (unit, period).

    - ``scores``, ``coverage``, ``status``: one column per node.
    - ``raw``, ``treated``, ``normalised``, ``excluded``: one column per indicator.
    - ``effective_weights``, ``contributions``: one column per node and indicator.
    - ``winsorised``: one row per winsorised point; ``treatments``: one row per
      indicator x reference group that the winsorising rule flagged.
    """

    spec: Spec
    scores: pd.DataFrame
    coverage: pd.DataFrame
    status: pd.DataFrame
    raw: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    excluded: pd.DataFrame
    effective_weights: pd.DataFrame
    contributions: pd.DataFrame
    winsorised: pd.DataFrame
    treatments: pd.DataFrame
    exclusion_reasons: pd.DataFrame
    ignored_indicators: tuple[str, ...] = field(default=())

    @property
    def top(self) -> pd.Series:
        """Scores of the root node."""
        return self.scores[self.spec.root]

    def to_long(self) -> pd.DataFrame:
        """One row per unit x period x tree item (nodes and indicators, pre-order).

        Columns: unit, period, item, kind, parent, depth, raw, treated, value
        (node score or normalised indicator value), weight (declared share
        within the parent), effective_weight, contribution, coverage, status,
        winsorised, excluded_reason.
        """
        spec = self.spec
        tree = spec.tree()
        items = [item for item, _ in tree]
        n_rows, n_items = len(self.scores), len(items)
        is_node = np.array([item in spec.nodes for item in items])

        def by_column(frame):
            """Column name → values; one conversion of a frame whose columns share a dtype (pandas column
            access per item is the slow part of a wide tree)."""
            if frame is None:
                return None
            if frame.dtypes.nunique() == 1:
                return dict(zip(frame.columns, frame.to_numpy().T))
            return {column: frame[column].to_numpy() for column in frame.columns}

        def stacked(node_frame, indicator_frame, fill=np.nan):
            node_columns, indicator_columns = by_column(node_frame), by_column(indicator_frame)
            columns = []
            for item, node in zip(items, is_node):
                frame = node_columns if node else indicator_columns
                columns.append(frame[item] if frame is not None else np.full(n_rows, fill))
            return np.column_stack(columns).ravel()

        node_status = {n: self.status[n].cat.codes.to_numpy() for n in spec.nodes}
        excluded_of, raw_of = by_column(self.excluded), by_column(self.raw)
        item_status = []
        for item in items:
            if item in spec.nodes:
                item_status.append(node_status[item])
            else:
                excluded = excluded_of[item]
                missing = np.isnan(raw_of[item]) & ~excluded
                item_status.append(np.select([excluded, missing], [EXCLUDED, MISSING], 0))
        status_codes = np.column_stack(item_status).ravel()

        winsorised = pd.DataFrame(False, index=self.raw.index, columns=self.raw.columns)
        if len(self.winsorised):
            keys = pd.MultiIndex.from_frame(self.winsorised.iloc[:, :2])
            rows = self.raw.index.get_indexer(keys)
            cols = self.raw.columns.get_indexer(self.winsorised["indicator"])
            values = winsorised.to_numpy(copy=True)
            values[rows, cols] = True
            winsorised = pd.DataFrame(values, index=self.raw.index, columns=self.raw.columns)

        parents = [spec.parents.get(item, "") for item in items]  # "" for the root
        declared = _declared_shares(spec)
        code_tile = np.tile(np.arange(n_items), n_rows)
        index = self.scores.index
        ids = {
            name: pd.Categorical.from_codes(np.repeat(codes, n_items), categories=level)
            for name, codes, level in zip(index.names, index.codes, index.levels)
        }
        parent_ids = sorted(set(parents))
        out = pd.DataFrame(
            {
                **ids,
                "item": pd.Categorical.from_codes(code_tile, categories=items),
                "kind": pd.Categorical.from_codes(np.tile((~is_node).astype(int), n_rows), categories=["node", "indicator"]),
                "parent": pd.Categorical.from_codes(
                    np.array([parent_ids.index(p) for p in parents])[code_tile], categories=parent_ids
                ),
                "depth": np.tile([depth for _, depth in tree], n_rows),
                "raw": stacked(None, self.raw),
                "treated": stacked(None, self.treated),
                "value": stacked(self.scores, self.normalised),
                "weight": np.tile([declared.get(item, 1.0) for item in items], n_rows),
                "effective_weight": stacked(self.effective_weights, self.effective_weights),
                "contribution": stacked(self.contributions, self.contributions),
                "coverage": stacked(self.coverage, None),
                "status": pd.Categorical.from_codes(status_codes, categories=ITEM_STATUS),
                "winsorised": stacked(None, winsorised, fill=False).astype(bool),
            }
        )
        reasons = np.full(len(out), None, dtype=object)
        if len(self.exclusion_reasons):
            keys = pd.MultiIndex.from_frame(self.exclusion_reasons.iloc[:, :2])
            rows = self.scores.index.get_indexer(keys)
            cols = pd.Index(items).get_indexer(self.exclusion_reasons["indicator"])
            reasons[rows * n_items + cols] = self.exclusion_reasons["reason"].to_numpy()
        out["excluded_reason"] = reasons
        return out


def _declared_shares(spec: Spec) -> dict[str, float]:
    shares = {}
    for node in spec.nodes.values():
        total = sum(w for _, w in node.children)
        shares.update({child: w / total for child, w in node.children})
    return shares


@dataclass
class _Panel:
    """Indicator values as a matrix, rows sorted by (period, unit)."""

    units: pd.Index
    periods: pd.Index
    row_unit: np.ndarray
    row_period: np.ndarray
    raw: np.ndarray
    ignored: tuple[str, ...]

    def row_lookup(self, unit_codes: np.ndarray, period_codes: np.ndarray) -> np.ndarray:
        """Row number of each (unit, period) code pair, -1 if absent."""
        keys = self.row_period.astype(np.int64) * len(self.units) + self.row_unit
        wanted = period_codes.astype(np.int64) * len(self.units) + unit_codes
        pos = np.searchsorted(keys, wanted)
        found = (unit_codes >= 0) & (period_codes >= 0) & (pos < len(keys))
        found[found] = keys[pos[found]] == wanted[found]
        return np.where(found, pos, -1)


def score(values: pd.DataFrame, spec, exclusions: pd.DataFrame | None = None) -> ScoreResult:
    """Score ``values`` with ``spec`` (a ``Spec``, a spec mapping, or a YAML path).

    ``exclusions`` (optional) lists (unit, period, indicator[, reason]) rows to
    take out of aggregation, e.g. an exemption: that indicator's contribution
    is removed for that unit and period and the remaining weights renormalised;
    coverage is measured against the weight still applicable. Excluded values
    still count in the reference statistics, so other units are unaffected.
    """
    spec = load_spec(spec)
    panel = _build_panel(values, spec)
    groups = (
        Groups.from_sorted_codes(panel.row_period) if spec.reference == "period" else Groups.single(len(panel.row_unit))
    )
    excluded, reasons = _exclusion_mask(exclusions, spec, panel)

    indicator_ids = list(spec.indicators)
    treated = np.empty_like(panel.raw)
    normalised = np.empty_like(panel.raw)
    winsorised_parts, treatment_rows = [], []
    for j, ind_id in enumerate(indicator_ids):
        indicator = spec.indicators[ind_id]
        x = panel.raw[:, j]
        try:
            for step in indicator.transforms:
                if step.method == "log":
                    x = log(x, groups, **step.params)
                else:
                    result = winsorise(x, groups, **step.params)
                    x = result.values
                    winsorised_parts.append((ind_id, result))
                    treatment_rows.extend({"indicator": ind_id, **rec} for rec in result.summary)
            treated[:, j] = x
            normalised[:, j] = normalise(x, groups, indicator.direction, indicator.normalise.method, indicator.normalise.params)
        except ScoringError as exc:
            raise ScoringError(f"indicator '{ind_id}': {exc}") from exc

    values_by_id = {i: normalised[:, j] for j, i in enumerate(indicator_ids)}
    applicable = {i: ~excluded[:, j] for j, i in enumerate(indicator_ids)}
    node_results: dict[str, NodeResult] = {}
    for node_id in spec.order:
        node = spec.nodes[node_id]
        child_ids = tuple(child for child, _ in node.children)
        try:
            result = aggregate(
                np.column_stack([values_by_id[c] for c in child_ids]),
                np.array([w for _, w in node.children]),
                node.method,
                np.column_stack([applicable[c] for c in child_ids]),
                node.min_coverage,
                child_names=child_ids,
                capped=np.array([c in node.cap for c in child_ids]) if node.cap else None,
                max_share=node.max_share,
            )
        except ScoringError as exc:
            raise ScoringError(f"node '{node_id}': {exc}") from exc
        node_results[node_id] = result
        values_by_id[node_id] = result.score
        applicable[node_id] = result.applicable

    multipliers = {spec.root: np.where(np.isnan(values_by_id[spec.root]), np.nan, 1.0)}
    for node_id in reversed(spec.order):
        result = node_results[node_id]
        for k, (child, _) in enumerate(spec.nodes[node_id].children):
            local = result.local_weights[:, k]
            multipliers[child] = np.where(local > 0, multipliers[node_id] * local * result.balance, np.nan)

    order = np.lexsort((panel.row_period, panel.row_unit))
    index = pd.MultiIndex.from_arrays(
        [panel.units.take(panel.row_unit[order]), panel.periods.take(panel.row_period[order])],
        names=[spec.columns.unit, spec.columns.period],
    )
    node_ids = list(spec.order)
    all_ids = [item for item, _ in spec.tree()]

    def frame(columns: dict[str, np.ndarray], ids: list[str]) -> pd.DataFrame:
        """One float block (a column per id built separately costs a block each, the slow part of small runs)."""
        return pd.DataFrame(np.column_stack([columns[i] for i in ids])[order], index=index, columns=ids)

    def matrix_frame(matrix: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(matrix[order], index=index, columns=indicator_ids)

    status = pd.DataFrame(
        {n: pd.Categorical.from_codes(node_results[n].status[order], categories=STATUS_NAMES) for n in node_ids},
        index=index,
    )
    return ScoreResult(
        spec=spec,
        scores=frame(values_by_id, node_ids),
        coverage=frame({n: node_results[n].coverage for n in node_ids}, node_ids),
        status=status,
        raw=matrix_frame(panel.raw),
        treated=matrix_frame(treated),
        normalised=matrix_frame(normalised),
        excluded=pd.DataFrame(excluded[order], index=index, columns=indicator_ids),
        effective_weights=frame(multipliers, all_ids),
        contributions=frame({i: multipliers[i] * values_by_id[i] for i in all_ids}, all_ids),
        winsorised=_winsorised_frame(winsorised_parts, panel, spec),
        treatments=_treatments_frame(treatment_rows, panel, spec),
        exclusion_reasons=reasons,
        ignored_indicators=panel.ignored,
    )


def _codes(column: pd.Series, what: str) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError as exc:
        raise ScoringError(f"the {what} column mixes types that cannot be sorted ({exc}); make it one type") from exc
    if (codes < 0).any():
        raise ScoringError(f"{int((codes < 0).sum())} row(s) have no {what}; fill or drop them")
    return codes, pd.Index(uniques)


def _numeric(column: pd.Series, what: str) -> np.ndarray:
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna() & column.notna()
    if bad.any():
        raise ScoringError(
            f"{int(bad.sum())} {what} value(s) are not numbers (e.g. {column[bad].iloc[0]!r}); clean them or leave them empty"
        )
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def _build_panel(values: pd.DataFrame, spec: Spec) -> _Panel:
    cols = spec.columns
    indicator_ids = list(spec.indicators)
    if not isinstance(values, pd.DataFrame):
        raise ScoringError("values must be a pandas DataFrame")
    if values.empty:
        raise ScoringError("values table is empty; nothing to score")
    missing_ids = [c for c in (cols.unit, cols.period) if c not in values.columns]
    if missing_ids:
        raise ScoringError(
            f"values table has no column {missing_ids}; rename it or set columns.unit / columns.period in the spec"
        )
    long = cols.indicator in values.columns and cols.value in values.columns
    if not long and not all(i in values.columns for i in indicator_ids):
        absent = [i for i in indicator_ids if i not in values.columns]
        raise ScoringError(
            f"values table is neither long (needs columns '{cols.indicator}' and '{cols.value}') nor wide "
            f"(needs one column per indicator; missing {absent[:5]})"
        )
    unit_codes, units = _codes(values[cols.unit], "unit")
    period_codes, periods = _codes(values[cols.period], "period")
    keys = period_codes.astype(np.int64) * len(units) + unit_codes
    if len(units) * len(periods) <= _DENSE_KEY_LIMIT:
        seen = np.zeros(len(units) * len(periods), dtype=bool)
        seen[keys] = True
        row_keys = np.flatnonzero(seen)
        row_of_key = np.cumsum(seen) - 1
        rows = row_of_key[keys]
    else:
        row_keys, rows = np.unique(keys, return_inverse=True)
    n_rows, n_ind = len(row_keys), len(indicator_ids)
    raw = np.full((n_rows, n_ind), np.nan)

    if long:
        indicator_col = values[cols.indicator]
        codes, uniques = pd.factorize(indicator_col)
        ind_codes = np.append(pd.Index(indicator_ids).get_indexer(uniques), -1)[codes].astype(np.int64)
        known = ind_codes >= 0
        ignored = tuple(sorted(map(str, pd.unique(indicator_col[~known].dropna()))))
        cells = rows[known] * n_ind + ind_codes[known]
        counts = np.bincount(cells, minlength=n_rows * n_ind)
        if (counts > 1).any():
            dup = values[known].iloc[np.flatnonzero(counts[cells] > 1)[:3]]
            raise ScoringError(
                f"{int((counts > 1).sum())} (unit, period, indicator) combination(s) appear more than once, e.g.\n"
                f"{dup[[cols.unit, cols.period, cols.indicator]].to_string(index=False)}\n"
                "deduplicate or aggregate the values before scoring"
            )
        raw.ravel()[cells] = _numeric(values[cols.value][known], "value")
        per_indicator = counts.reshape(n_rows, n_ind).sum(axis=0)
        absent = [i for i, n in zip(indicator_ids, per_indicator) if n == 0]
    else:
        ignored = ()
        if n_rows < len(values):
            dup = values[np.bincount(rows, minlength=n_rows)[rows] > 1].head(3)
            raise ScoringError(
                f"{len(values) - n_rows} row(s) repeat a (unit, period) pair, e.g.\n"
                f"{dup[[cols.unit, cols.period]].to_string(index=False)}\ndeduplicate them before scoring"
            )
        for j, ind_id in enumerate(indicator_ids):
            raw[rows, j] = _numeric(values[ind_id], f"'{ind_id}'")
        absent = []
    if absent:
        raise ScoringError(
            f"indicator(s) {absent} of the spec have no rows in the values table; "
            "check the indicator ids (and columns.indicator), or remove them from the spec"
        )
    n_units = len(units)
    return _Panel(units, periods, (row_keys % n_units).astype(np.intp), (row_keys // n_units).astype(np.intp), raw, ignored)


def _exclusion_mask(exclusions, spec: Spec, panel: _Panel) -> tuple[np.ndarray, pd.DataFrame]:
    cols = spec.columns
    mask = np.zeros(panel.raw.shape, dtype=bool)
    reasons = pd.DataFrame(columns=[cols.unit, cols.period, "indicator", "reason"])
    if exclusions is None or len(exclusions) == 0:
        return mask, reasons
    needed = [cols.unit, cols.period, cols.indicator]
    absent = [c for c in needed if c not in exclusions.columns]
    if absent:
        raise ScoringError(f"exclusions need columns {needed}; missing {absent}")
    rows = panel.row_lookup(
        panel.units.get_indexer(exclusions[cols.unit]), panel.periods.get_indexer(exclusions[cols.period])
    )
    ind = pd.Index(list(spec.indicators)).get_indexer(exclusions[cols.indicator])
    bad = (rows < 0) | (ind < 0)
    if bad.any():
        raise ScoringError(
            f"{int(bad.sum())} exclusion(s) match no scored (unit, period, indicator), e.g.\n"
            f"{exclusions[needed][bad].head(3).to_string(index=False)}\n"
            "check the ids and that their types match the values table (e.g. period 2024 vs '2024')"
        )
    mask[rows, ind] = True
    order_units = panel.units.take(panel.row_unit[rows])
    order_periods = panel.periods.take(panel.row_period[rows])
    reason = exclusions["reason"].to_numpy(dtype=object) if "reason" in exclusions.columns else np.full(len(rows), None)
    reasons = pd.DataFrame(
        {cols.unit: order_units, cols.period: order_periods, "indicator": exclusions[cols.indicator].to_numpy(), "reason": reason}
    )
    return mask, reasons


def _winsorised_frame(parts, panel: _Panel, spec: Spec) -> pd.DataFrame:
    cols = spec.columns
    rows = np.concatenate([r.rows for _, r in parts]) if parts else np.zeros(0, dtype=np.intp)
    return pd.DataFrame(
        {
            cols.unit: panel.units.take(panel.row_unit[rows]),
            cols.period: panel.periods.take(panel.row_period[rows]),
            "indicator": np.concatenate([[i] * len(r.rows) for i, r in parts]) if parts else np.zeros(0, dtype=object),
            "original": np.concatenate([r.original for _, r in parts]) if parts else np.zeros(0),
            "treated": np.concatenate([r.treated for _, r in parts]) if parts else np.zeros(0),
            "side": np.concatenate([r.side for _, r in parts]) if parts else np.zeros(0, dtype=object),
        }
    )


def _treatments_frame(records: list[dict], panel: _Panel, spec: Spec) -> pd.DataFrame:
    columns = ["indicator", spec.columns.period, "skew_before", "kurtosis_before", "skew_after",
               "kurtosis_after", "points", "passed", "fallback"]
    if not records:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(records)
    if spec.reference == "period":
        starts = Groups.from_sorted_codes(panel.row_period).starts
        frame[spec.columns.period] = panel.periods.take(panel.row_period[starts[frame["group"]]])
    else:
        frame[spec.columns.period] = None
    return frame[columns]
