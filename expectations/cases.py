"""The case library (案例库): the most similar reference cases for an alert, by jieba + TF-IDF cosine similarity.

Cases are the seed ``ref_integrity_cases`` (problem, department type, measures, outcome). Texts are cut with jieba
after loading a government-domain user dictionary (``gov_dict.txt``: 放管服, 跨省通办, 医疗纠纷, 调处时长 …), so
domain terms stay whole; scikit-learn's TfidfVectorizer weighs the tokens (sublinear tf) and the cosine of the
vectors ranks the cases.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import pandas as pd

USER_DICT = Path(__file__).parent / "gov_dict.txt"
CASE_TEXT_COLUMNS = ("title", "dept_type_name", "problem", "measures", "outcome")
STOP_TOKENS = frozenset("的 了 和 与 及 在 为 由 至 以 等 是 对 将 并 中 后 而 或 某 市 县 区 省 个 月 年".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(USER_DICT))
    return jieba


def tokenize(text: str) -> list[str]:
    """Words of a Chinese text (jieba with the government dictionary), without punctuation and stop words."""
    return [token for token in _jieba().lcut(text or "")
            if token.strip() and token not in STOP_TOKENS and any(ch.isalnum() for ch in token)]


def suggest(cases: pd.DataFrame, queries: list[str], top: int = 3) -> list[list[dict]]:
    """For each query text, the ``top`` most similar cases: [{case_id, title, similarity}, …], best first."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    if cases.empty or not queries:
        return [[] for _ in queries]
    columns = [c for c in CASE_TEXT_COLUMNS if c in cases.columns]
    documents = cases[columns].fillna("").astype(str).agg(" ".join, axis=1).tolist()
    vectorizer = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    similarity = cosine_similarity(vectorizer.transform(queries), matrix)
    ids, titles = cases["case_id"].tolist(), cases["title"].tolist()
    suggestions = []
    for row in similarity:
        best = sorted(range(len(row)), key=lambda i: (-row[i], ids[i]))[:top]
        suggestions.append([{"case_id": ids[i], "title": titles[i], "similarity": round(float(row[i]), 4)} for i in best])
    return suggestions
