"""Stopping criteria on hand-made curves and on hand-made rounds of a live loop."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skal.parameters import InvalidParameterError
from skal.stopping import (
    BudgetStopping,
    ClassificationChange,
    MaxConfidence,
    OverallUncertainty,
    StabilizingPredictions,
)

NAN = float("nan")


class Round:
    """A learner frozen at one round: predictions and probabilities given by hand, row by row."""

    def __init__(self, predictions=None, proba=None):
        self.predictions, self.proba = predictions, proba

    def predict(self, X):
        return np.asarray(self.predictions)[np.asarray(X).ravel()]

    def predict_proba(self, X):
        return np.asarray(self.proba, dtype=float)[np.asarray(X).ravel()]


POOL = np.arange(6).reshape(-1, 1)


# ---------------------------------------------------------------- recorded histories
@pytest.mark.parametrize("criterion, curve, expected", [
    (BudgetStopping(100), [20, 40, 60], None),
    (BudgetStopping(100), [20, 60, 100, 140], 2),
    (StabilizingPredictions(threshold=0.99, window=3), [NAN, 0.5, 0.99, 1.0, 0.995, 1.0], 4),
    (StabilizingPredictions(threshold=0.99, window=3), [NAN, 1.0, 1.0, 0.98, 1.0, 1.0], None),
    (StabilizingPredictions(threshold=0.9, window=1), [NAN, 0.95], 1),
    (ClassificationChange(), [NAN, 0.3, 0.01, 0.0, 0.2], 3),
    (ClassificationChange(threshold=0.05), [NAN, 0.3, 0.04], 2),
    (ClassificationChange(), [NAN], None),
    (OverallUncertainty(threshold=0.1), [0.6, 0.3, 0.1, 0.09, 0.2], 3),
    (OverallUncertainty(threshold=0.1), [NAN, 0.5], None),
    (MaxConfidence(threshold=0.2), [0.99, 0.9, 0.19], 2),
    (MaxConfidence(threshold=0.2), [], None),
])
def test_stopping_round_on_hand_made_curves(criterion, curve, expected):
    assert criterion.stopping_round(curve) == expected
    if expected is not None:
        assert criterion.should_stop(curve[: expected + 1])
        assert not any(criterion.should_stop(curve[: end]) for end in range(1, expected + 1))


# ------------------------------------------------------------------------- live loops
def test_budget_live():
    stop = BudgetStopping(50)
    assert [stop.update(None, None, n) for n in (10, 49, 50, 60)] == [False, False, True, True]
    assert stop.history_ == [10.0, 49.0, 50.0, 60.0]


def test_stabilizing_predictions_live_matches_its_history():
    rounds = [[0, 0, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1],
              [0, 1, 1, 1, 0, 1]]
    stop = StabilizingPredictions(threshold=0.99, window=2, stop_set=POOL)
    decisions = [stop.update(Round(p), POOL, 10 * i) for i, p in enumerate(rounds)]
    assert decisions == [False, False, False, True, True]
    assert np.isnan(stop.history_[0]) and stop.history_[1] < 0.99 and stop.history_[2:] == [1.0, 1.0, 1.0]
    assert stop.stopping_round(stop.history_) == 3
    # kappa of two different, non-constant prediction vectors
    other = StabilizingPredictions(window=1, stop_set=POOL)
    other.update(Round([0, 0, 0, 1, 1, 1]), POOL, 10)
    other.update(Round([0, 0, 1, 1, 1, 1]), POOL, 20)
    assert other.history_[1] == pytest.approx(2 / 3)


def test_stop_set_is_drawn_once_from_the_first_pool():
    stop = StabilizingPredictions(window=1, stop_set_size=4, random_state=0)
    stop.update(Round([0, 1, 0, 1, 0, 1]), POOL, 10)
    drawn = stop.stop_set_.copy()
    assert drawn.shape == (4, 1) and stop.stop_set is None  # the parameter is left as given
    stop.update(Round([0, 1, 0, 1, 0, 1]), POOL[:2], 20)
    np.testing.assert_array_equal(stop.stop_set_, drawn)
    again = StabilizingPredictions(window=1, stop_set_size=4, random_state=0)
    again.update(Round([0, 1, 0, 1, 0, 1]), POOL, 10)
    np.testing.assert_array_equal(again.stop_set_, drawn)


def test_classification_change_live():
    stop = ClassificationChange(stop_set=POOL)
    assert not stop.update(Round([0, 1, 1, 0, 0, 1]), POOL, 10)
    assert not stop.update(Round([0, 1, 1, 1, 0, 1]), POOL, 20)
    assert stop.update(Round([0, 1, 1, 1, 0, 1]), POOL, 30)
    assert stop.history_[1] == pytest.approx(1 / 6) and stop.history_[2] == 0.0


def test_overall_uncertainty_and_max_confidence_live():
    early = [[0.5, 0.5], [0.6, 0.4], [0.9, 0.1], [0.95, 0.05], [0.99, 0.01], [0.97, 0.03]]
    late = [[0.92, 0.08], [0.95, 0.05], [0.99, 0.01], [0.97, 0.03], [0.99, 0.01], [0.93, 0.07]]
    lc = dict(uncertainty="least_confident")
    # least confidence: early mean 0.18, max 0.5; late mean 0.042, max 0.08
    mean_stop, max_stop = OverallUncertainty(0.1, **lc), MaxConfidence(0.1, **lc)
    assert not mean_stop.update(Round(proba=early), POOL, 10)
    assert mean_stop.update(Round(proba=late), POOL, 20)
    assert mean_stop.history_ == pytest.approx([1.09 / 6, 0.25 / 6])
    assert not max_stop.update(Round(proba=early), POOL, 10)
    assert max_stop.update(Round(proba=late), POOL, 20)
    almost = [[0.5, 0.5]] + late[1:]  # one uncertain row: a low mean, a high max
    assert OverallUncertainty(0.15, **lc).update(Round(proba=almost), POOL, 30)
    assert not MaxConfidence(0.15, **lc).update(Round(proba=almost), POOL, 30)
    # normalised entropy: 1 for a uniform row, 0 for a certain one, whatever the number of classes
    entropy = MaxConfidence(0.5)
    entropy.update(Round(proba=[[1 / 3] * 3, [1.0, 0.0, 0.0]]), np.arange(2), 10)
    assert entropy.history_ == pytest.approx([1.0])
    nothing = OverallUncertainty()
    assert not nothing.update(Round(proba=early), POOL[:0], 10) and np.isnan(nothing.history_[0])


def test_clone_reset_and_params():
    stop = StabilizingPredictions(threshold=0.95, window=2, stop_set=POOL)
    stop.update(Round([0, 1, 0, 1, 0, 1]), POOL, 10)
    fresh = clone(stop)
    assert not hasattr(fresh, "history_") and fresh.get_params()["threshold"] == 0.95
    assert stop.reset() is stop and not hasattr(stop, "history_") and not hasattr(stop, "previous_predictions_")
    assert "window=2" in repr(stop)


@pytest.mark.parametrize("criterion, message", [
    (BudgetStopping(0), "The .budget. parameter"),
    (StabilizingPredictions(threshold=1.5), "The .threshold. parameter"),
    (StabilizingPredictions(window=0), "The .window. parameter"),
    (ClassificationChange(threshold=-0.1), "threshold"),
    (OverallUncertainty(uncertainty="margin"), "The .uncertainty. parameter .*least_confident"),
    (MaxConfidence(threshold="high"), "threshold"),
])
def test_bad_parameters_raise_at_first_use(criterion, message):
    with pytest.raises(ValueError, match=message):
        criterion.stopping_round([1.0])
    with pytest.raises(ValueError, match=message):
        criterion.update(Round([0] * 6, [[1.0, 0.0]] * 6), POOL, 10)
    assert not hasattr(criterion, "history_")


# ------------------------------------------------------------ scikit-learn's estimator checks
CRITERIA = [BudgetStopping(), StabilizingPredictions(), ClassificationChange(), OverallUncertainty(),
            MaxConfidence()]

#: A stopping criterion has no ``fit``: it measures a learner that the loop (or the simulation) fits, in
#: ``update(learner, X_pool, n_labelled)``. Every check that fits the estimator on (X, y) cannot apply; the
#: rest (get_params/set_params, clone, repr, nothing set in __init__, declared parameters) must pass.
NO_FIT = "a stopping criterion has no fit(X, y): it measures a learner fitted elsewhere"
FIT_CHECKS = dict.fromkeys([
    "check_estimators_overwrite_params", "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_n_features_in_after_fitting", "check_positive_only_tag_during_fit",
    "check_estimators_dtypes", "check_complex_data", "check_dtype_object", "check_estimators_empty_data_messages",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimator_sparse_tag",
    "check_estimator_sparse_array", "check_estimator_sparse_matrix", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in", "check_fit1d",
    "check_fit2d_predict1d"], NO_FIT)


@parametrize_with_checks(CRITERIA, expected_failed_checks=lambda criterion: FIT_CHECKS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: type(c).__name__)
def test_declared_parameters(criterion):
    check_param_validation(type(criterion).__name__, criterion)
    # check_param_validation calls fit, which a criterion lacks: do its job at the criterion's own start.
    for name in criterion.get_params():
        bad = clone(criterion).set_params(**{name: object()})
        for start in (lambda c: c.stopping_round([1.0]), lambda c: c.update(Round([0] * 6, [[1.0, 0.0]] * 6),
                                                                             POOL, 10)):
            with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of {type(bad).__name__}"):
                start(bad)
