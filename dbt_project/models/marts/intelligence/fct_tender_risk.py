"""Integrity risk of every awarded tender (models/integrity.py): detector, supervised score, flag and top features.

The model is the current `integrity` artefact ($JX_HOME/models/integrity/); on first use it is trained here
from the same features and the audit-confirmed tenders. `jixiao train` retrains it.
"""
from jixiao.models.integrity import NAME, score_tenders
from jixiao.models.registry import ensure


def model(dbt, session):
    features = dbt.ref("int_procurement__tender_features").df()
    confirmed = dbt.ref("int_audit__confirmed_tenders").df()
    artefact = ensure(NAME, {"int_procurement__tender_features": features, "int_audit__confirmed_tenders": confirmed})
    scored = score_tenders(artefact.model, features, set(confirmed["tender_id"].astype(str)))
    scored["model_version"] = artefact.version
    return scored
