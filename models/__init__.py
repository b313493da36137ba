"""Trained models and their code: integrity risk, text signals, lagging-risk prediction."""


def __getattr__(name: str):
    """``TRAINERS`` (the retraining DAG's registry) is imported on first use: scikit-learn loads only then."""
    if name == "TRAINERS":
        from jixiao.models.registry import TRAINERS

        return TRAINERS
    raise AttributeError(name)
