"""Expected error reduction: parity with modAL 0.4.1's own function, candidate subsampling,
committees, plain estimators, text pools and bad input."""

import numpy as np
import pytest
from scipy.stats import entropy
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner, Committee
from skal.strategies.error_reduction import expected_error_reduction


class CountingLogisticRegression(LogisticRegression):
    """Counts its fits, to see how many candidates were refitted."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        CountingLogisticRegression.fits += 1
        return super().fit(X, y, sample_weight)


@pytest.fixture
def problem():
    rng = np.random.RandomState(6)
    X = rng.normal(size=(18, 2))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    return X, y


def expected_errors(models, X, loss):
    """The written-out method: refit each model per row and label, loss over the rest of the pool."""
    classes = models[0][0].classes_
    proba = np.mean([m.predict_proba(X) for m, _, _ in models], axis=0)
    errors = np.zeros(len(X))
    for i in range(len(X)):
        for k, label in enumerate(classes):
            p = np.mean([clone(m).fit(np.vstack([Xt, X[i:i + 1]]), np.r_[yt, label]).predict_proba(
                np.delete(X, i, axis=0)) for m, Xt, yt in models], axis=0)
            nloss = 1 - p.max(axis=1) if loss == "binary" else entropy(p.T)
            errors[i] += nloss.sum() * proba[i, k]
    return errors


@pytest.mark.parametrize("loss", ["binary", "log"])
def test_equals_modals_expected_error_reduction(problem, loss, monkeypatch):
    monkeypatch.setattr(np, "float", float, raising=False)  # modAL 0.4.1 annotates with np.float
    from modAL.expected_error import expected_error_reduction as modal_eer
    from modAL.models import ActiveLearner as ModalLearner

    X, y = problem
    ours = ActiveLearner(LogisticRegression()).fit(X[:6], y[:6])
    theirs = ModalLearner(LogisticRegression(), X_training=X[:6], y_training=y[:6])
    idx, scores = expected_error_reduction(ours, X[6:], n_instances=4, loss=loss)
    assert set(idx) == set(np.asarray(modal_eer(theirs, X[6:], loss=loss, n_instances=4)).ravel())
    reference = expected_errors([(ours.estimator_, X[:6], y[:6])], X[6:], loss)
    assert idx.tolist() == np.argsort(reference, kind="stable")[:4].tolist()
    np.testing.assert_allclose(-scores, np.sort(reference)[:4], rtol=1e-6)


def test_plain_estimator_with_its_training_data_and_a_committee(problem):
    X, y = problem
    learner = ActiveLearner(LogisticRegression()).fit(X[:6], y[:6])
    plain = LogisticRegression().fit(X[:6], y[:6])
    a = expected_error_reduction(learner, X[6:], n_instances=3)
    b = expected_error_reduction(plain, X[6:], n_instances=3, X_training=X[:6], y_training=y[:6])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1])
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.1, 10.0)]).fit(X[:6], y[:6])
    idx, scores = expected_error_reduction(committee, X[6:], n_instances=3, loss="log")
    models = [(m.estimator_, X[:6], y[:6]) for m in committee.learners_]
    reference = expected_errors(models, X[6:], "log")
    assert idx.tolist() == np.argsort(reference, kind="stable")[:3].tolist()
    np.testing.assert_allclose(-scores, np.sort(reference)[:3], rtol=1e-6)


def test_candidate_subsampling_bounds_the_refits(problem):
    X, y = problem
    learner = ActiveLearner(CountingLogisticRegression()).fit(X[:6], y[:6])
    CountingLogisticRegression.fits = 0
    idx, scores = expected_error_reduction(learner, X[6:], n_instances=2, max_candidates=4, random_state=0)
    assert CountingLogisticRegression.fits <= 4 * 2, "one refit per candidate and class"
    assert np.isfinite(scores).all()
    again = expected_error_reduction(learner, X[6:], n_instances=2, max_candidates=4, random_state=0)
    np.testing.assert_array_equal(idx, again[0])
    full = dict(zip(*expected_error_reduction(learner, X[6:], n_instances=12)))
    np.testing.assert_allclose(scores, [full[i] for i in idx])  # a score does not depend on the other candidates
    # p_subsample keeps about that share of rows, never fewer than n_instances
    CountingLogisticRegression.fits = 0
    idx, scores = expected_error_reduction(learner, X[6:], n_instances=3, p_subsample=0.01, random_state=0)
    assert np.isfinite(scores).all() and CountingLogisticRegression.fits <= 3 * 2


def test_text_pools(problem):
    texts = ["good film", "bad film", "great film", "awful film", "fine fun", "dull plot", "great fun",
             "awful plot"]
    labels = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(texts[:4], labels[:4])
    idx, scores = expected_error_reduction(learner, texts[4:], n_instances=2, loss="log")
    assert len(set(idx)) == 2 and np.isfinite(scores).all()
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()), expected_error_reduction,
                            random_state=0).fit(texts[:4], labels[:4])
    assert learner.query(texts[4:], n_instances=1)[0].shape == (1,)


def test_bad_input(problem):
    X, y = problem
    learner = ActiveLearner(LogisticRegression()).fit(X[:6], y[:6])
    with pytest.raises(ValueError, match="loss"):
        expected_error_reduction(learner, X, loss="hinge")
    for p in (0.0, 1.5, "all"):
        with pytest.raises(ValueError, match="p_subsample"):
            expected_error_reduction(learner, X, p_subsample=p)
    with pytest.raises(ValueError, match="max_candidates"):
        expected_error_reduction(learner, X, max_candidates=0)
    with pytest.raises(ValueError, match="fitted on labelled data"):
        expected_error_reduction(LogisticRegression().fit(X, y), X)
    with pytest.raises(ValueError, match="both X_training and y_training"):
        expected_error_reduction(LogisticRegression().fit(X, y), X, X_training=X)
    with pytest.raises(ValueError, match="mismatched lengths"):
        expected_error_reduction(LogisticRegression().fit(X, y), X, X_training=X, y_training=y[:3])
    with pytest.raises(NotFittedError):
        expected_error_reduction(LogisticRegression(), X, X_training=X, y_training=y)
    with pytest.raises(ValueError, match="larger than the pool"):
        expected_error_reduction(learner, X[:2], n_instances=3)
    with pytest.raises(ValueError, match="empty"):
        expected_error_reduction(learner, X[:0])
