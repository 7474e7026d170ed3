"""CrossValidatedLogisticRegression: C by cross-validation once the folds allow; the presets that use it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skal.presets import PRESETS, make_text_classifier
from skal.regularised_logistic import CrossValidatedLogisticRegression

SUBJ_SAMPLE = Path(__file__).parent / "data" / "subj_sample.csv.gz"


@parametrize_with_checks([CrossValidatedLogisticRegression(Cs=3, cv=3)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _blobs(n_per_class, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = rng.normal(size=(len(y), 5)) + 1.5 * np.eye(n_classes, 5)[y]
    return X, y


def test_falls_back_below_three_rows_per_class():
    X, y = _blobs(10)
    X, y = np.vstack([X[:2], X[10:20]]), np.r_[y[:2], y[10:20]]  # class 0 has 2 rows
    clf = CrossValidatedLogisticRegression(C=0.5).fit(X, y)
    assert clf.n_folds_ == 0 and clf.C_ == 0.5
    np.testing.assert_allclose(clf.predict_proba(X), LogisticRegression(C=0.5, max_iter=1000).fit(X, y).predict_proba(X))


def test_folds_follow_the_smallest_class_and_match_grid_search():
    X, y = _blobs(12, n_classes=3)
    keep = np.r_[0:4, 12:24, 24:36]  # the smallest class has 4 rows: 4 folds, not 5
    X, y = X[keep], y[keep]
    clf = CrossValidatedLogisticRegression(Cs=[0.01, 1.0, 100.0], random_state=0).fit(X, y)
    assert clf.n_folds_ == 4
    reference = GridSearchCV(LogisticRegression(max_iter=1000), {"C": [0.01, 1.0, 100.0]},
                             scoring="neg_log_loss", cv=StratifiedKFold(4, shuffle=True, random_state=0)).fit(X, y)
    assert clf.C_ == reference.best_params_["C"]
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_allclose(clf.coef_, reference.best_estimator_.coef_)


@pytest.mark.parametrize("params, message", [
    ({"Cs": 0}, "'Cs' parameter .* must be"), ({"Cs": [1.0, -1.0]}, "Cs must be"),
    ({"cv": 1}, r"'cv' parameter .* must be an int in the range \[2, inf\)"),
    ({"C": 0}, r"'C' parameter .* must be a float in the range \(0(\.0)?, inf\)"),
])
def test_bad_parameters_are_named(params, message):
    X, y = _blobs(10)
    with pytest.raises(ValueError, match=message):
        CrossValidatedLogisticRegression(**params).fit(X, y)


def test_presets():
    assert "setfit" in PRESETS
    embedding = make_text_classifier("embedding", random_state=3)
    assert isinstance(embedding[-1], CrossValidatedLogisticRegression) and embedding[-1].random_state == 3
    setfit = make_text_classifier("setfit", model="/some/dir", random_state=4)
    assert type(setfit).__name__ == "SetFitClassifier"
    assert setfit.get_params()["model"] == "/some/dir" and setfit.random_state == 4
    assert clone(setfit).get_params() == setfit.get_params()


@pytest.mark.slow
def test_embedding_preset_guesses_are_sharper_on_held_out_subj():
    """60 labelled SUBJ sentences, 240 held out, the bundled MiniLM: sharper and better-calibrated guesses.

    The old preset (LogisticRegression, C=1) is ~85% accurate with probabilities near 0.5-0.65;
    choosing C by cross-validated log-loss lowers the held-out log-loss and raises the confidence.
    """
    from skal import TextEmbedder

    frame = pd.read_csv(SUBJ_SAMPLE)
    Z = TextEmbedder().fit().transform(frame["text"].tolist())
    y = frame["label"].to_numpy()
    train, test = slice(0, 60), slice(60, None)
    old = LogisticRegression(max_iter=1000).fit(Z[train], y[train])
    new = make_text_classifier("embedding", random_state=0)[-1].fit(Z[train], y[train])
    assert new.n_folds_ == 5 and new.C_ > 1
    p_old, p_new = old.predict_proba(Z[test]), new.predict_proba(Z[test])
    assert p_old.max(axis=1).mean() < 0.7 < p_new.max(axis=1).mean()
    assert log_loss(y[test], p_new, labels=new.classes_) < log_loss(y[test], p_old, labels=old.classes_) - 0.05
    print(f"held-out SUBJ: mean max prob {p_old.max(axis=1).mean():.3f} -> {p_new.max(axis=1).mean():.3f}, "
          f"log-loss {log_loss(y[test], p_old):.3f} -> {log_loss(y[test], p_new):.3f}, "
          f"accuracy {old.score(Z[test], y[test]):.3f} -> {new.score(Z[test], y[test]):.3f}, C_ = {new.C_:g}")


def test_param_validation():
    check_param_validation("CrossValidatedLogisticRegression", CrossValidatedLogisticRegression())
