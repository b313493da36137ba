"""Probability that each department is in the bottom tier next month, from its past months (models/lagging.py)."""
from jixiao.models.lagging import NAME, score
from jixiao.models.registry import ensure


def model(dbt, session):
    scores = dbt.ref("fct_dept_score").df()
    artefact = ensure(NAME, {"fct_dept_score": scores})
    rows = score(artefact.model, scores)
    rows["model_version"] = artefact.version
    return rows
