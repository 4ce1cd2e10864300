"""The trained reply model is kept in var/ and loaded by the next process instead of trained again."""

import pytest

from agents.conversations import reply_model


@pytest.fixture
def tiny_corpus(monkeypatch, settings, tmp_path):
    """A fast stand-in corpus and an empty var/; the process's real model is untouched afterwards."""
    settings.VAR_DIR = tmp_path
    cases = [
        reply_model.TrainingCase(f"x-{n}", "en", category, text)
        for n, (category, text) in enumerate(
            [("interested", "let's talk thursday"), ("unsubscribe", "remove me from your list")] * 3
        )
    ]
    trained = []
    original = reply_model.train
    monkeypatch.setattr(reply_model, "read_corpus", lambda: cases)
    monkeypatch.setattr(reply_model, "train", lambda items: trained.append(1) or original(items))
    reply_model._corpus_model.cache_clear()
    yield trained
    reply_model._corpus_model.cache_clear()


def test_the_first_process_trains_and_keeps_the_model_and_the_next_loads_it(tiny_corpus, tmp_path):
    first = reply_model._corpus_model()
    [kept] = tmp_path.glob("reply-model-*.joblib")
    reply_model._corpus_model.cache_clear()  # as a new worker process
    second = reply_model._corpus_model()
    assert len(tiny_corpus) == 1  # trained once
    assert list(second.classes_) == list(first.classes_) == ["interested", "unsubscribe"]
    assert kept.exists()


def test_an_unreadable_kept_model_is_trained_again_not_an_error(tiny_corpus, tmp_path):
    (tmp_path / f"reply-model-{reply_model._fingerprint()}.joblib").write_bytes(b"not a model")
    model = reply_model._corpus_model()
    assert len(tiny_corpus) == 1 and list(model.classes_) == ["interested", "unsubscribe"]
