"""Multi-label targets through ActiveLearner and Committee, with scikit-learn's multi-label models."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from skal import ActiveLearner, Committee, TextEmbedder
from skal.strategies import (
    badge_sampling,
    entropy_sampling,
    expected_gradient_length_sampling,
    margin_sampling,
    uncertainty_batch_sampling,
    uncertainty_sampling,
    vote_entropy_sampling,
)
from skal.strategies.multilabel import mean_entropy_sampling
from skal.targets import encode_like, encode_targets, is_label_sets, is_multilabel_target

TEXTS = [
    "i love this so much", "this makes me furious", "i am scared and angry", "what a lovely day",
    "so sad and lonely", "thank you, that is wonderful", "terrifying and sad news", "nothing to say here",
    "angry about the delay", "happy and grateful", "i fear the worst", "just a plain statement",
]
SETS = [["joy"], ["anger"], ["anger", "fear"], ["joy"], ["sadness"], ["joy"], ["fear", "sadness"], [],
        ["anger"], ["joy"], ["fear"], []]
LABELS = ["anger", "fear", "joy", "sadness"]


def _numeric(n=80, n_labels=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_labels + 1))
    Y = (X[:, :n_labels] + 0.3 * rng.normal(size=(n, n_labels)) > 0.3).astype(int)
    return X, Y


# --------------------------------------------------------------------------- targets
def test_label_sets_binarised_like_multilabelbinarizer_with_empty_sets():
    Y, binarizer = encode_targets(SETS)
    expected = MultiLabelBinarizer().fit_transform(SETS)
    np.testing.assert_array_equal(Y, expected)
    assert binarizer.classes_.tolist() == LABELS
    assert Y[7].sum() == 0  # the empty set is a valid answer: no label


@pytest.mark.parametrize("make", [np.asarray, sp.csr_matrix, lambda Y: pd.DataFrame(Y, columns=list("abc")),
                                  lambda Y: Y.tolist()])
def test_indicator_matrices_in_every_container(make):
    _, Y = _numeric()
    encoded, binarizer = encode_targets(make(Y))
    np.testing.assert_array_equal(encoded, Y)
    expected = list("abc") if isinstance(make(Y), pd.DataFrame) else [0, 1, 2]
    assert binarizer.classes_.tolist() == expected


def test_type_detection():
    assert is_label_sets(SETS) and is_label_sets(pd.Series(SETS)) and is_label_sets([{"a"}, set()])
    assert not is_label_sets([[0, 1], [1, 1]]) and is_multilabel_target([[0, 1], [1, 1]])
    assert not is_multilabel_target(["a", "b"]) and not is_multilabel_target(np.array([0, 1, 1]))
    assert not is_multilabel_target(np.array([[1, 2], [3, 1]]))  # multiclass-multioutput


def test_bad_indicator_values_and_all_empty_sets_raise():
    with pytest.raises(ValueError, match="holds 0 .* and 1 .* only"):
        encode_targets(sp.csr_matrix(np.array([[0, 2], [1, 0]])))
    with pytest.raises(ValueError, match="Every label set in y is empty"):
        encode_targets([[], []])


def test_encode_like_checks_label_space():
    _, binarizer = encode_targets(SETS)
    with pytest.raises(ValueError, match=r"Labels \['joyful'\] are outside the label set"):
        encode_like([["joyful"], ["fear"]], binarizer)
    with pytest.raises(ValueError, match="y has 3 label columns, but the model was fitted on 4 labels"):
        encode_like(np.zeros((2, 3), dtype=int), binarizer)
    with pytest.raises(ValueError, match="must be an indicator matrix of 4 columns or a list of label sets"):
        encode_like(["joy", "fear"], binarizer)
    with pytest.raises(ValueError, match="fitted on single-label targets"):
        encode_like(SETS, None)


# --------------------------------------------------------------------------- learners
MODELS = {
    "ovr": lambda: OneVsRestClassifier(LogisticRegression()),
    "multioutput": lambda: MultiOutputClassifier(LogisticRegression()),
    "chain": lambda: ClassifierChain(LogisticRegression(), random_state=0),
    "mlp": lambda: MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0),
}


@pytest.mark.parametrize("name", MODELS)
def test_active_learner_around_multilabel_models_on_tfidf(name):
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), MODELS[name]()), mean_entropy_sampling,
                            random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP convergence
        learner.fit(TEXTS[:8], SETS[:8])
        assert learner.classes_.tolist() == LABELS
        P = learner.predict_proba(TEXTS)
        assert P.shape == (12, 4) and ((P >= 0) & (P <= 1)).all()
        predicted = learner.predict(TEXTS)
        assert np.asarray(predicted).shape == (12, 4)
        assert len(learner.label_binarizer_.inverse_transform(np.asarray(predicted).astype(int))) == 12
        idx, rows = learner.query(TEXTS[8:], n_instances=2)
        assert len(set(idx)) == 2 and rows == [TEXTS[8:][i] for i in idx]
        learner.teach(rows, [SETS[8:][i] for i in idx])
    assert learner.y_training_.shape == (10, 4)
    np.testing.assert_array_equal(learner.y_training_[-2:], encode_targets(SETS)[0][8:][idx])


@pytest.mark.parametrize("name", ["ovr", "mlp"])
def test_active_learner_on_text_embedder(name, tiny_bert_path):
    model = make_pipeline(TextEmbedder(model=tiny_bert_path), MODELS[name]())
    learner = ActiveLearner(model, badge_sampling, on_transformed=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learner.fit(TEXTS[:8], SETS[:8])
        idx, _ = learner.query(TEXTS[8:], n_instances=3)
    assert len(set(idx)) == 3
    assert learner.predict_proba(TEXTS).shape == (12, 4)


@pytest.mark.parametrize("make", [np.asarray, sp.csr_matrix])
def test_teach_takes_indicator_rows_and_label_sets_alike(make):
    X, Y = _numeric()
    names = ["a", "b", "c"]
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X[:20], make(Y[:20]))
    learner.teach(X[20:25], make(Y[20:25]))
    np.testing.assert_array_equal(learner.y_training_, Y[:25])
    named = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(
        X[:20], [[names[j] for j in np.flatnonzero(r)] for r in Y[:20]])
    named.teach(X[20:25], pd.DataFrame(Y[20:25], columns=names))
    np.testing.assert_array_equal(named.y_training_, Y[:25])


@pytest.mark.parametrize("bad, message", [
    ([["joy"], ["envy"]], r"Labels \['envy'\] are outside the label set \['anger', 'fear', 'joy', 'sadness'\]"),
    (np.zeros((2, 5), dtype=int), "y has 5 label columns, but the model was fitted on 4 labels"),
    (["joy", "fear"], "single-label target"),
])
def test_bad_teach_input_changes_no_state(bad, message):
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression())))
    learner.fit(TEXTS[:8], SETS[:8])
    before, model = learner.y_training_.copy(), learner.estimator_
    with pytest.raises(ValueError, match=message):
        learner.teach(TEXTS[8:10], bad)
    np.testing.assert_array_equal(learner.y_training_, before)
    assert learner.estimator_ is model


def test_multilabel_y_to_single_label_learner_raises():
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(
        TEXTS[:4], ["a", "b", "a", "b"])
    with pytest.raises(ValueError, match="y is multi-label .* fitted on single-label targets"):
        learner.teach(TEXTS[:2], [["a"], ["b"]])


@pytest.mark.parametrize("model", [MultiOutputClassifier(LogisticRegression()), ClassifierChain(LogisticRegression())])
def test_label_without_positive_row_names_label_and_rows_needed(model):
    X, Y = _numeric()
    Y[:10, 1] = 0
    learner = ActiveLearner(model)
    with pytest.raises(ValueError, match=r"Label 1 is present in no labelled row \(of 10\).*at least 1 more "
                                         r"row.*OneVsRestClassifier"):
        learner.fit(X[:10], Y[:10])
    assert not hasattr(learner, "estimator_")


def test_one_vs_rest_fits_a_never_seen_label_as_never():
    X, Y = _numeric()
    Y[:10, 1] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Label not 1 is present in all training examples"
        learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X[:10], Y[:10])
    assert (learner.predict(X)[:, 1] == 0).all()
    assert (learner.predict_proba(X)[:, 1] == 0).all()


@pytest.mark.parametrize("strategy", [uncertainty_sampling, entropy_sampling, margin_sampling,
                                      uncertainty_batch_sampling, expected_gradient_length_sampling])
def test_single_label_strategy_on_multilabel_learner_names_the_alternatives(strategy):
    X, Y = _numeric()
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression()), strategy).fit(X[:20], Y[:20])
    with pytest.raises(ValueError, match=f"{strategy.__name__} is a single-label strategy.*mean_entropy_sampling, "
                                         "cvirs_sampling"):
        learner.query(X[20:])


def test_modal_strategies_pass_the_guard():
    from modAL.multilabel import avg_score

    X, Y = _numeric()
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression()), avg_score).fit(X[:20], Y[:20])
    idx, _ = learner.query(X[20:], n_instances=3)
    assert len(idx) == 3


# --------------------------------------------------------------------------- committee
def test_committee_of_multilabel_members():
    X, Y = _numeric()
    members = [ActiveLearner(OneVsRestClassifier(LogisticRegression(C=c))) for c in (0.1, 1.0, 10.0)]
    committee = Committee(members, mean_entropy_sampling).fit(X[:20], Y[:20])
    votes = committee.vote_proba(X)
    assert votes.shape == (80, 3, 3)
    np.testing.assert_allclose(committee.predict_proba(X), votes.mean(axis=1))
    np.testing.assert_array_equal(committee.predict(X), (votes.mean(axis=1) > 0.5).astype(int))
    idx, rows = committee.query(X[20:], n_instances=4)
    committee.teach(rows, Y[20:][idx])
    assert all(m.y_training_.shape == (24, 3) for m in committee)
    with pytest.raises(ValueError, match="y has 2 label columns"):
        committee.teach(rows, Y[20:][idx][:, :2])
    assert all(m.y_training_.shape == (24, 3) for m in committee)
    with pytest.raises(ValueError, match="vote_entropy_sampling is a single-label strategy"):
        Committee(members, vote_entropy_sampling).fit(X[:20], Y[:20]).query(X)


def test_adopted_fitted_multilabel_model_checks_widths():
    X, Y = _numeric()
    fitted = OneVsRestClassifier(LogisticRegression()).fit(X[:20], Y[:20])
    learner = ActiveLearner(fitted, mean_entropy_sampling)  # modAL style: a fitted model, no training data
    assert learner.query(X[20:], n_instances=2)[0].shape == (2,)
    with pytest.raises(ValueError, match="y has 2 label columns, but the model was fitted on 3 labels"):
        learner.teach(X[20:22], Y[20:22, :2])
    learner.teach(X[20:22], Y[20:22])
    np.testing.assert_array_equal(learner.y_training_, Y[20:22])
