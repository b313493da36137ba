"""Name masking: recall on the simulator's planted names, false positives on name-free text, texts per second;
jieba's part-of-speech tagger (``nr``) on a sample for comparison.

    .venv/bin/python benchmarks/masking/bench_names.py [--texts 20000] [--seed 3]

The simulator's text generators are run with their ``names`` function wrapped to record what they plant (the
masking code never sees that list). Name-free text: review comments and posts that mention nobody, the same
ticket and petition templates written anonymously (cues such as 市民/信访人 with no name after them), and every
department name, place and issue phrase of the world.
"""
from __future__ import annotations

import csv
import time

import click
import numpy as np

from jixiao.ingestors.masking import LABELS, mask_text
from jixiao.runtime.config import REPO_ROOT
from jixiao.simulator import text as simtext

NAME = LABELS["name"]


def _generate(n: int, seed: int, anonymous: bool = False) -> tuple[list[str], list[list[str]]]:
    """Texts of the four generators and, per text, the planted names that appear in it."""
    rng = np.random.default_rng(seed)
    planted: list[list[str]] = []
    original = simtext.names

    def recording(generator, count):
        drawn = original(generator, count)
        planted.append(drawn)
        return [""] * count if anonymous else drawn

    simtext.names = recording
    try:
        categories = rng.choice(simtext.CATEGORIES, n).tolist()
        texts = simtext.ticket_texts(rng, categories)
        texts += simtext.petition_texts(rng, categories)
        texts += simtext.review_comments(rng, rng.integers(1, 6, n).tolist())
        depts = [row["dept_name"] for row in _departments()]
        texts += simtext.post_texts(rng, [depts[i % len(depts)] for i in range(n)], (rng.random(n) < 0.5).tolist(),
                                    categories)
    finally:
        simtext.names = original
    names = [name for batch in planted for name in batch]
    return texts, [[name] if name and name in text else [] for text, name in zip(texts, names)]


def _departments() -> list[dict]:
    with open(REPO_ROOT / "dbt_project" / "seeds" / "ref_departments.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _score(masker, texts, names) -> tuple[float, float, int, int, float]:
    """(recall over planted names, false-positive share over name-free texts, names, name-free texts, texts/s)."""
    started = time.perf_counter()
    masked = [masker(t) for t in texts]
    rate = len(texts) / (time.perf_counter() - started)
    found = total = fp = free = 0
    for text, out, planted in zip(texts, masked, names):
        if planted:
            total += len(planted)
            found += sum(name not in out for name in planted)
        else:
            free += 1
            fp += NAME in out
    return found / max(total, 1), fp / max(free, 1), total, free, rate


def _jieba_masker():
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(60)

    def mask(text: str) -> str:
        return "".join(NAME if word.flag == "nr" else word.word for word in posseg.cut(text))
    return mask


@click.command()
@click.option("--texts", default=20_000, show_default=True, help="Texts per generator.")
@click.option("--seed", default=3, show_default=True)
@click.option("--jieba-sample", default=2_000, show_default=True, help="Texts scored with jieba.posseg (slow).")
def main(texts: int, seed: int, jieba_sample: int) -> None:
    named, names = _generate(texts, seed)
    anonymous, _ = _generate(texts, seed + 1, anonymous=True)
    world = [row["dept_name"] for row in _departments()] + simtext.PLACES + [
        issue for issues in simtext.ISSUES.values() for issue in issues] + simtext.GOOD_WORDS + simtext.BAD_WORDS
    corpus = named + anonymous + world
    labels = names + [[] for _ in anonymous + world]
    recall, fp, total, free, rate = _score(lambda t: mask_text(t)[0], corpus, labels)
    print(f"rules:  recall {recall:.4f} on {total:,} planted names · false positives {fp:.4f} of {free:,} "
          f"name-free texts · {rate:,.0f} texts/s (mask_text, all identifiers)")
    step = max(1, len(corpus) // jieba_sample)
    sample, sample_labels = corpus[::step], labels[::step]
    recall, fp, total, free, rate = _score(_jieba_masker(), sample, sample_labels)
    print(f"jieba:  recall {recall:.4f} on {total:,} planted names · false positives {fp:.4f} of {free:,} "
          f"name-free texts · {rate:,.0f} texts/s (posseg nr, sample of {len(sample):,})")


if __name__ == "__main__":
    main()
