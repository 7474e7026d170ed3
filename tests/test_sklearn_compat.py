"""scikit-learn's own estimator checks on skal's learners: ActiveLearner, the committees, BayesianOptimizer, CEAL.

``check_param_validation`` feeds every declared parameter a value of the
wrong type and out of range and expects scikit-learn's InvalidParameterError
from ``fit``; ``parametrize_with_checks`` runs the whole estimator suite.
"""

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skal import ActiveLearner, BayesianOptimizer, Committee, CommitteeRegressor
from skal.pseudo_labelling import CEALLearner

# Checks that do not apply, and why.
INAPPLICABLE = {
    # Its last step fits binary labels named -1 and 1. Under scikit-learn's
    # semi-supervised convention, which ActiveLearner.fit follows for
    # classifiers (as SelfTrainingClassifier does), -1 marks an unlabelled row,
    # so only one labelled class remains and fit rightly refuses it.
    "check_classifiers_classes": "y == -1 marks unlabelled rows (semi-supervised convention)",
}

# GaussianProcessRegressor predicts from its prior before any fit (scikit-learn counts it as fitted), and
# BayesianOptimizer adopts a model that can predict as it is, as modAL's does: so it is usable, and
# "fitted", before fit.
OPTIMIZER_INAPPLICABLE = {
    "check_estimators_unfitted": "the Gaussian process predicts from its prior before fit (modAL semantics)",
    "check_fit_check_is_fitted": "the Gaussian process predicts from its prior before fit (modAL semantics)",
}


def _estimators():
    return [
        ActiveLearner(LogisticRegression()),
        ActiveLearner(Ridge()),
        Committee([ActiveLearner(LogisticRegression()), ActiveLearner(KNeighborsClassifier(3))]),
        CommitteeRegressor([ActiveLearner(Ridge(alpha=0.1)), ActiveLearner(Ridge(alpha=10.0))]),
        BayesianOptimizer(GaussianProcessRegressor()),
        CEALLearner(ActiveLearner(LogisticRegression())),
    ]


def _expected_failures(estimator):
    if isinstance(estimator, BayesianOptimizer):
        return OPTIMIZER_INAPPLICABLE
    return INAPPLICABLE if is_classifier(estimator) else {}


@parametrize_with_checks(_estimators(), expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", _estimators(), ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


def test_query_strategy_by_registered_name():
    from skal.strategies import margin_sampling

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    named = ActiveLearner(LogisticRegression(), "margin").fit(X[:20], y[:20])
    direct = ActiveLearner(LogisticRegression(), margin_sampling).fit(X[:20], y[:20])
    np.testing.assert_array_equal(named.query(X[20:], n_instances=5)[0],
                                  direct.query(X[20:], n_instances=5)[0])
    assert named.get_params()["query_strategy"] == "margin"
    from sklearn.base import clone

    assert clone(named).query_strategy == "margin"
    assert ActiveLearner(LogisticRegression(), "margin_sampling").fit(X[:20], y[:20]).query(X[20:])[0].shape == (1,)
    committee = Committee([ActiveLearner(LogisticRegression())] * 2, "vote_entropy").fit(X[:20], y[:20])
    assert committee.query(X[20:], n_instances=2)[0].shape == (2,)


@pytest.mark.parametrize("make", [
    lambda name: ActiveLearner(LogisticRegression(), name),
    lambda name: Committee([ActiveLearner(LogisticRegression())], name),
])
def test_unknown_strategy_name_is_refused_naming_it(make):
    X, y = np.arange(8.).reshape(-1, 1), np.array([0, 1] * 4)
    with pytest.raises(ValueError, match="query_strategy.*'marginal'"):
        make("marginal").fit(X, y)
    with pytest.raises(ValueError, match="'marginal'"):
        make("marginal").query(X)  # a cold learner, never fitted
