"""TransformerClassifier on a tiny random BERT, plus one smoke test of the real bundled model."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skal import ActiveLearner, Committee, TransformerClassifier
from skal.models import autocast_dtype, resolve_device, resolve_model
from skal.strategies import entropy_sampling


@pytest.fixture
def tiny(tiny_bert_path):
    return TransformerClassifier(model=tiny_bert_path, max_epochs=2, lr=1e-3, batch_size=8,
                                 max_length=16, random_state=0)


def test_fit_predict_on_text(tiny, text_data):
    X, y = text_data
    clf = tiny.fit(pd.Series(X), np.array(y, dtype=object))
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 2) and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert set(clf.predict(np.array(X, dtype=object))) <= {"neg", "pos"}
    assert 0 <= clf.score(X, y) <= 1


def test_length_sorted_batches_keep_order(tiny, text_data):
    X, y = text_data
    clf = tiny.fit(X, y)
    full = clf.predict_proba(X)
    one_by_one = np.vstack([clf.predict_proba([t]) for t in X])
    np.testing.assert_allclose(full, one_by_one, atol=1e-5)


def test_reproducible_and_reinitialised_each_fit(tiny, text_data):
    X, y = text_data
    a = clone(tiny).fit(X, y).predict_proba(X)
    b = clone(tiny).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(a, b, atol=1e-6)
    again = tiny.fit(X, y)
    again.fit(X, y)  # refit from the checkpoint, not on top of the previous weights
    np.testing.assert_allclose(again.predict_proba(X), a, atol=1e-6)


def test_warm_start_and_partial_fit_continue_training(tiny, text_data):
    X, y = text_data
    clf = clone(tiny).set_params(warm_start=True).fit(X, y)
    first = clf.predict_proba(X)
    clf.fit(X, y)
    assert not np.allclose(first, clf.predict_proba(X))
    before = clf.predict_proba(X)
    clf.partial_fit(X[:4], y[:4])
    assert not np.allclose(before, clf.predict_proba(X))
    with pytest.raises(ValueError, match="never seen"):
        clf.partial_fit(X[:2], ["maybe", "pos"])


def test_integer_labels_and_three_classes(tiny, text_data):
    X, _ = text_data
    y = np.arange(24) % 3
    clf = tiny.fit(X, y)
    assert clf.predict_proba(X).shape == (24, 3) and clf.classes_.tolist() == [0, 1, 2]


def test_deep_model_interface(tiny, text_data):
    X, y = text_data
    clf = tiny.fit(X, y)
    assert clf.embed(X).shape == (24, 32)
    mc = clf.predict_proba_mc(X, mc_samples=4, random_state=0)
    assert mc.shape == (24, 4, 2)
    assert mc.std(axis=1).max() > 0, "dropout must be active in MC passes"
    np.testing.assert_allclose(mc, clf.predict_proba_mc(X, mc_samples=4, random_state=0), atol=1e-6)
    grads = clf.gradient_embedding(X)
    p = clf.predict_proba(X)
    h = clf.embed(X)
    residual = p - np.eye(2)[p.argmax(1)]
    np.testing.assert_allclose(grads, (residual[:, :, None] * h[:, None, :]).reshape(24, -1), atol=1e-5)
    # eval mode is restored: deterministic predictions after MC dropout
    np.testing.assert_allclose(clf.predict_proba(X), clf.predict_proba(X))


def test_in_active_learner_committee_and_grid_search(tiny, text_data):
    X, y = text_data
    y = np.array(y)
    seed_rows = [0, 1, 12, 13]
    pool = [t for i, t in enumerate(X) if i not in seed_rows]
    learner = ActiveLearner(tiny, entropy_sampling, random_state=0).fit([X[i] for i in seed_rows], y[seed_rows])
    idx, rows = learner.query(pool, n_instances=3)
    assert len(rows) == 3 and isinstance(rows, list)
    learner.teach(rows, ["pos", "neg", "pos"])
    assert len(learner.X_training_) == 7
    assert learner.embed(pool).shape == (20, 32)

    members = [ActiveLearner(clone(tiny).set_params(random_state=s, max_epochs=1)) for s in (0, 1)]
    committee = Committee(members).fit(X, y)
    assert committee.vote_proba(X).shape == (24, 2, 2)

    search = GridSearchCV(clone(tiny).set_params(max_epochs=1), {"lr": [1e-4, 1e-3]}, cv=2).fit(X, y)
    assert search.best_params_["lr"] in (1e-4, 1e-3)


@pytest.mark.parametrize("bad, message", [
    (["fine", ""], "non-empty strings"),
    (["fine", None], "non-empty strings"),
    ("just one string", "single string"),
    (np.zeros((2, 3)), "1-d sequence"),
])
def test_bad_texts(tiny, text_data, bad, message):
    with pytest.raises(ValueError, match=message):
        tiny.fit(bad, ["pos", "neg"][: len(bad) if not isinstance(bad, str) else 2])


def test_bad_labels_and_models(tiny, text_data, tmp_path):
    X, y = text_data
    with pytest.raises(ValueError, match="one class only"):
        tiny.fit(X, ["pos"] * 24)
    with pytest.raises(ValueError, match="mismatched lengths"):
        tiny.fit(X, y[:-1])
    with pytest.raises(ValueError, match="does not exist"):
        clone(tiny).set_params(model=str(tmp_path / "nowhere")).fit(X, y)
    with pytest.raises(ValueError, match="no config.json"):
        clone(tiny).set_params(model=str(tmp_path)).fit(X, y)
    assert not hasattr(tiny, "net_")  # nothing half-updated


def test_checkpoint_with_other_label_count(tiny_bert_path, text_data, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    X, y = text_data
    AutoModelForSequenceClassification.from_pretrained(tiny_bert_path, num_labels=2).save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_bert_path).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="labels"):
        TransformerClassifier(model=str(tmp_path), max_epochs=1).fit(X, np.arange(24) % 3)


def test_device_resolution():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")
    with pytest.raises(ValueError, match="Unknown device"):
        resolve_device("tpu")
    assert autocast_dtype("cpu") is None
    assert autocast_dtype("cuda", bf16_supported=True) is torch.bfloat16
    assert autocast_dtype("cuda", bf16_supported=False) is torch.float16
    assert resolve_model(None).endswith("model")
    assert resolve_model("bert-base-uncased") == "bert-base-uncased"  # hub names pass through


def test_missing_hub_model_says_how_to_fix(text_data):
    X, y = text_data
    with pytest.raises(ValueError, match="local"):
        TransformerClassifier(model="no-such-org-xyz/no-such-model", max_epochs=1).fit(X, y)


@pytest.mark.slow
def test_real_bundled_model_smoke(text_data):
    X, y = text_data
    clf = TransformerClassifier(max_epochs=1, max_length=32, batch_size=16, random_state=0)
    clf.fit(X[:8] + X[12:20], y[:8] + y[12:20])
    assert clf.predict_proba(X).shape == (24, 2)
    assert clf.embed(X[:2]).shape == (2, 384)


def test_deep_strategies_through_an_active_learner(tiny, text_data):
    from skal.strategies import badge_sampling, bald_sampling, batch_bald_sampling, coreset_sampling

    X, y = text_data
    learner = ActiveLearner(tiny, random_state=0).fit(X[::4], np.array(y)[::4])
    for strategy, kwargs in [(bald_sampling, {"mc_samples": 3}), (batch_bald_sampling, {"mc_samples": 3}),
                             (badge_sampling, {}), (coreset_sampling, {})]:
        idx, _ = strategy(learner, X, n_instances=3, random_state=0, **kwargs)
        assert len(set(idx)) == 3
