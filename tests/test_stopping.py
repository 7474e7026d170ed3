"""Stopping criteria on hand-made rounds (fixed predictions and probabilities)."""

import numpy as np
import pytest

from skal.stopping import (
    BudgetStopping,
    ClassificationChange,
    MaxConfidence,
    OverallUncertainty,
    StabilizingPredictions,
)


class Round:
    """A learner frozen at one round: its predictions and probabilities are given by hand."""

    def __init__(self, predictions=None, proba=None):
        self.predictions, self.proba = predictions, proba

    def predict(self, X):
        return np.asarray(self.predictions)[np.asarray(X).ravel()]

    def predict_proba(self, X):
        return np.asarray(self.proba)[np.asarray(X).ravel()]


POOL = np.arange(6).reshape(-1, 1)


def test_budget():
    stop = BudgetStopping(50)
    assert [stop.update(None, None, n) for n in (10, 49, 50, 60)] == [False, False, True, True]
    with pytest.raises(ValueError, match="at least 1"):
        BudgetStopping(0)


def test_stabilizing_predictions_needs_a_window_of_agreement():
    curve = [[0, 0, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1]]
    stop = StabilizingPredictions(threshold=0.99, window=2, stop_set=POOL)
    decisions = [stop.update(Round(p), POOL, 10 * i) for i, p in enumerate(curve)]
    assert decisions == [False, False, False, True, True]
    assert stop.kappas_[0] < 0.99 and stop.kappas_[1:] == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        StabilizingPredictions(threshold=1.5)


def test_stabilizing_predictions_draws_its_stop_set_from_the_first_pool():
    stop = StabilizingPredictions(window=1, stop_set_size=4, random_state=0)
    stop.update(Round([0, 1, 0, 1, 0, 1]), POOL, 10)
    assert len(stop.stop_set) == 4


def test_overall_uncertainty_and_max_confidence():
    early = [[0.5, 0.5], [0.6, 0.4], [0.9, 0.1], [0.95, 0.05], [0.99, 0.01], [0.97, 0.03]]
    late = [[0.92, 0.08], [0.95, 0.05], [0.99, 0.01], [0.97, 0.03], [0.99, 0.01], [0.93, 0.07]]
    mean_stop, max_stop = OverallUncertainty(threshold=0.1), MaxConfidence(threshold=0.1)
    # early: mean uncertainty 0.21, max 0.5; late: mean 0.042, max 0.08
    assert not mean_stop.update(Round(proba=early), POOL, 10)
    assert mean_stop.update(Round(proba=late), POOL, 20)
    assert not max_stop.update(Round(proba=early), POOL, 10)
    assert max_stop.update(Round(proba=late), POOL, 20)
    almost = [[0.5, 0.5]] + late[1:]  # one uncertain row: the mean is low, the max is not
    assert OverallUncertainty(threshold=0.15).update(Round(proba=almost), POOL, 30)
    assert not MaxConfidence(threshold=0.15).update(Round(proba=almost), POOL, 30)


def test_classification_change():
    stop = ClassificationChange()
    learner = Round([0, 1, 1, 0, 0, 1])
    assert not stop.update(learner, POOL, 10, X_new=np.array([[0], [1]]), y_new=[0, 0])
    assert stop.update(learner, POOL, 10, X_new=np.array([[0], [1]]), y_new=[0, 1])
    assert not stop.update(learner, POOL, 10)
