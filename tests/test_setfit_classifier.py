"""SetFitClassifier on a tiny random sentence-transformers model, plus one smoke test of the bundled MiniLM."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from skal import ActiveLearner, ActiveLearningSimulation
from skal.setfit_classifier import SetFitClassifier, contrastive_pairs
from skal.strategies import coreset_sampling, margin_sampling

PARAMS = {"model", "head", "num_iterations", "num_epochs", "batch_size", "learning_rate", "warmup_proportion",
          "max_length", "predict_batch_size", "device", "random_state", "verbose"}


@pytest.fixture(scope="module")
def tiny_st_path(tiny_bert_path, tmp_path_factory):
    """A tiny random sentence-transformers model: the tiny BERT, mean pooling, normalisation."""
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:
        from sentence_transformers.models import Normalize, Pooling, Transformer

    path = tmp_path_factory.mktemp("tiny-st")
    encoder = Transformer(tiny_bert_path, max_seq_length=32)
    SentenceTransformer(modules=[encoder, Pooling(32, "mean"), Normalize()], device="cpu").save(str(path))
    return str(path)


def _tiny(path, **params):
    settings = dict(model=path, num_iterations=2, batch_size=16, learning_rate=1e-3, max_length=16,
                    predict_batch_size=7, device="cpu", random_state=0)
    return SetFitClassifier(**{**settings, **params})


@pytest.fixture(scope="module")
def fitted(tiny_st_path):
    from conftest import NEGATIVE, POSITIVE

    return _tiny(tiny_st_path).fit(POSITIVE + NEGATIVE, ["pos"] * 30 + ["neg"] * 30)


def test_pairs_follow_the_paper_and_the_seed():
    y = np.array([0] * 5 + [1] * 3 + [2] * 1 + [1] * 2)
    first, second, target = contrastive_pairs(y, num_iterations=4, random_state=0)
    assert len(target) == 2 * 4 * len(y) and target.sum() == 4 * len(y)
    same = y[first] == y[second]
    np.testing.assert_array_equal(same, target == 1)
    # each row is the anchor of num_iterations positive and num_iterations negative pairs, and a
    # positive partner is another row unless the class has one row (row 8, class 2)
    positives = target == 1
    assert np.bincount(first[positives], minlength=len(y)).min() >= 4
    assert not np.any((first == second) & positives & (y[first] != 2))
    again = contrastive_pairs(y, num_iterations=4, random_state=0)
    other = contrastive_pairs(y, num_iterations=4, random_state=1)
    assert all(np.array_equal(a, b) for a, b in zip((first, second, target), again))
    assert not np.array_equal(first, other[0])
    with pytest.raises(ValueError, match="two classes"):
        contrastive_pairs([1, 1, 1])


def test_pairs_cover_every_partner_uniformly():
    y = np.array([0, 0, 0, 1, 1, 2])
    first, second, target = contrastive_pairs(y, num_iterations=3000, random_state=0)
    anchor0_neg = second[(first == 0) & (target == 0)]
    counts = np.bincount(anchor0_neg, minlength=6)[3:]
    assert counts.min() > 0.28 * counts.sum()  # rows 3, 4, 5 each about a third
    anchor0_pos = second[(first == 0) & (target == 1)]
    assert set(np.unique(anchor0_pos)) == {1, 2}


def test_sklearn_parameters_clone_and_not_fitted(tiny_st_path):
    clf = _tiny(tiny_st_path)
    assert set(clf.get_params()) == PARAMS
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "body_")
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    with pytest.raises(NotFittedError):
        clf.predict_proba(["a text"])
    copy.set_params(num_iterations=3, head=LogisticRegression(C=2.0))
    assert copy.get_params()["head__C"] == 2.0


def test_fit_predict_embed(fitted, text_data, tiny_st_path):
    from sentence_transformers import SentenceTransformer

    texts, labels = text_data
    check_is_fitted(fitted)
    assert fitted.classes_.tolist() == ["neg", "pos"]
    assert fitted.n_steps_ == int(np.ceil(2 * 2 * 60 / 16))
    proba = fitted.predict_proba(texts)
    assert proba.shape == (60, 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(fitted.predict(texts)) <= {"neg", "pos"}
    Z = fitted.embed(texts)
    assert Z.shape == (60, 32) and Z.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1, atol=1e-5)
    # the body was fine-tuned: its embeddings moved away from the checkpoint's
    start = SentenceTransformer(tiny_st_path, device="cpu").encode(texts)
    assert np.abs(Z - start).max() > 1e-3
    # the head's input is exactly the embedding
    np.testing.assert_allclose(fitted.head_.predict_proba(Z), proba, atol=1e-6)


def test_contrastive_fine_tuning_separates_the_classes(tiny_st_path, text_data):
    """After fine-tuning, same-class texts are closer than other-class ones (what the loss asks)."""
    from sentence_transformers import SentenceTransformer

    texts, labels = text_data
    y = np.array(labels)
    clf = _tiny(tiny_st_path, num_iterations=8, learning_rate=2e-3).fit(texts, y)

    def gap(Z):
        S = Z @ Z.T
        same = y[:, None] == y[None, :]
        return S[same].mean() - S[~same].mean()

    before = gap(SentenceTransformer(tiny_st_path, device="cpu").encode(texts))
    assert gap(clf.embed(texts)) > before + 0.1
    assert clf.score(texts, y) > 0.9


def test_random_state_reproduces_and_leaves_global_rng(tiny_st_path, text_data):
    texts, labels = text_data
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = _tiny(tiny_st_path).fit(texts, labels)
    assert torch.equal(torch.rand(1), expected_next), "torch's global generator was touched"
    b = _tiny(tiny_st_path).fit(texts, labels)
    c = _tiny(tiny_st_path, random_state=1).fit(texts, labels)
    np.testing.assert_array_equal(a.predict_proba(texts), b.predict_proba(texts))
    assert not np.array_equal(a.embed(texts), c.embed(texts))


def test_integer_labels_and_three_classes(tiny_st_path, text_data):
    texts, _ = text_data
    y = np.arange(60) % 3 + 5
    clf = _tiny(tiny_st_path, num_iterations=1).fit(np.array(texts, dtype=object), y)
    assert clf.classes_.tolist() == [5, 6, 7]
    assert clf.predict_proba(texts[:4]).shape == (4, 3)
    assert set(clf.predict(texts)) <= {5, 6, 7}


@pytest.mark.parametrize("params, message", [
    ({"num_iterations": 0}, r"'num_iterations' parameter .* must be an int in the range \[1, inf\)"),
    ({"batch_size": 1.5}, r"'batch_size' parameter .* must be an int"),
    ({"learning_rate": -1}, r"'learning_rate' parameter .* must be a float in the range \(0(\.0)?, inf\)"),
    ({"warmup_proportion": 1.0}, r"'warmup_proportion' parameter .* must be a float in the range \[0(\.0)?, 1(\.0)?\)"),
    ({"head": "logistic"}, r"'head' parameter .* must be an object implementing 'fit' and 'predict_proba'"),
])
def test_bad_parameters_are_named(tiny_st_path, text_data, params, message):
    texts, labels = text_data
    with pytest.raises(ValueError, match=message):
        _tiny(tiny_st_path, **params).fit(texts, labels)


def test_bad_data_is_named_and_changes_nothing(fitted, text_data, tmp_path):
    texts, labels = text_data
    body, head = fitted.body_, fitted.head_
    with pytest.raises(ValueError, match="one class only"):
        clone(fitted).fit(texts[:5], ["pos"] * 5)
    with pytest.raises(ValueError, match="mismatched lengths"):
        fitted.fit(texts, labels[:-1])
    with pytest.raises(ValueError, match="missing labels"):
        fitted.fit(texts[:3], ["pos", None, "neg"])
    with pytest.raises(ValueError, match="numeric array"):
        fitted.fit(np.zeros((4, 2))[:, 0], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="does not exist"):
        SetFitClassifier(model=str(tmp_path / "missing")).fit(texts, labels)
    assert fitted.body_ is body and fitted.head_ is head


def test_custom_head_and_pickle(tiny_st_path, text_data):
    texts, labels = text_data
    clf = _tiny(tiny_st_path, num_iterations=1, head=LogisticRegression(C=10.0)).fit(texts, labels)
    assert clf.head_.C == 10.0 and clf.head is not clf.head_
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)


def test_setfit_package_reads_our_model(fitted, text_data, tmp_path):
    """setfit's own inference on our body and head, in memory and after its save_pretrained."""
    SetFitModel = pytest.importorskip("setfit").SetFitModel

    texts, _ = text_data
    model = fitted.to_setfit_model()
    np.testing.assert_allclose(model.predict_proba(texts, as_numpy=True), fitted.predict_proba(texts), atol=1e-6)
    assert list(model.predict(texts[:5])) == fitted.predict(texts[:5]).tolist()
    model.save_pretrained(str(tmp_path / "saved"))
    loaded = SetFitModel.from_pretrained(str(tmp_path / "saved"), local_files_only=True, device="cpu")
    np.testing.assert_allclose(loaded.predict_proba(texts, as_numpy=True), fitted.predict_proba(texts), atol=1e-5)
    assert list(loaded.predict(texts[:5])) == fitted.predict(texts[:5]).tolist()


def test_active_learning_with_embedding_strategies(tiny_st_path, text_data):
    """The learner queries through predict_proba (margin) and through embed (core-set)."""
    texts, labels = text_data
    X, y = np.array(texts, dtype=object), np.array(labels)
    seed = np.r_[0:3, 30:33]
    for strategy in (margin_sampling, coreset_sampling):
        learner = ActiveLearner(_tiny(tiny_st_path, num_iterations=1), strategy, random_state=0)
        learner.fit(X[seed], y[seed])
        pool = np.setdiff1d(np.arange(60), seed)
        idx, _ = learner.query(X[pool], n_instances=4)
        assert len(set(idx.tolist())) == 4
        learner.teach(X[pool][idx], y[pool][idx])
        assert learner.y_training_.shape == (10,)
    assert learner.embed(X[:3]).shape == (3, 32)


def test_simulation_runs_on_raw_text(tiny_st_path, text_data):
    texts, labels = text_data
    sim = ActiveLearningSimulation(_tiny(tiny_st_path, num_iterations=1), margin_sampling, n_initial=6,
                                   batch_size=6, n_queries=1, eval_size=0.3, random_state=0)
    sim.fit(np.array(texts, dtype=object), np.array(labels))
    assert sim.learning_curve_["n_labelled"].tolist() == [6, 12]


def test_bundled_minilm_smoke(text_data):
    """The default body (the bundled MiniLM), one short fine-tuning: 384-d embeddings, sensible guesses."""
    texts, labels = text_data
    clf = SetFitClassifier(num_iterations=1, batch_size=32, device="cpu", random_state=0)
    clf.fit(texts[:8] + texts[30:38], labels[:8] + labels[30:38])
    assert clf.embed(["a great story"]).shape == (1, 384)
    assert clf.score(texts, labels) > 0.8


def test_labelling_session_with_the_setfit_preset(tmp_path, tiny_st_path, text_data):
    import pandas as pd

    from skal.labelling import LabellingSession

    texts, labels = text_data
    pd.DataFrame({"text": texts}).to_csv(tmp_path / "pool.csv", index=False)
    session = LabellingSession.create(tmp_path / "session", data=tmp_path / "pool.csv", text_column="text",
                                      labels=["pos", "neg"], batch_size=4, classifier="setfit",
                                      model=tiny_st_path, strategy="coreset")
    truth = dict(zip(map(str, range(60)), labels))
    for _ in range(5):
        item = session.next_item()
        session.record(item.id, truth[item.id])
        if session.retrain_due():
            session.retrain()
    assert session.status()["model_labels"] == 4
    assert type(session.learner.estimator_).__name__ == "SetFitClassifier"
    item = LabellingSession.open(session.directory).next_item()
    assert item.guess in ("pos", "neg")


def test_cli_simulate_takes_the_setfit_classifier(tmp_path, tiny_st_path, monkeypatch, capsys):
    """``skal simulate --classifier setfit`` (the preset pointed at the tiny model to stay fast)."""
    import json

    import pandas as pd
    from conftest import NEGATIVE, POSITIVE

    from skal.cli import main, simulate

    made = []

    def tiny_preset(kind, **kwargs):
        estimator = simulate.make_text_classifier.__wrapped__(kind, **kwargs)
        made.append(estimator)
        return estimator.set_params(model=tiny_st_path, num_iterations=1, device="cpu")

    tiny_preset.__wrapped__ = simulate.make_text_classifier
    monkeypatch.setattr(simulate, "make_text_classifier", tiny_preset)
    path = tmp_path / "data.csv"
    pd.DataFrame({"text": POSITIVE + NEGATIVE, "label": ["pos"] * 30 + ["neg"] * 30}).to_csv(path, index=False)
    code = main(["simulate", "--data", str(path), "--classifier", "setfit", "--strategy", "margin",
                 "--budget", "12", "--seeds", "1", "--batch-size", "4", "--n-initial", "4",
                 "--test-size", "0.3", "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 0 and type(made[0]).__name__ == "SetFitClassifier"
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["settings"]["classifier"] == "setfit"
