"""Trained models and their code: integrity risk, text signals, lagging-risk prediction."""
