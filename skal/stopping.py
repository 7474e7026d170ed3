"""Stopping criteria for an active-learning loop.

Each criterion is a small object with one method,
``update(learner, X_pool, n_labelled, X_new=None, y_new=None) -> bool``,
called once per round after the batch is chosen and before it is taught:
it returns True when the loop should stop after this batch. The same objects
serve :class:`skal.ActiveLearningSimulation` and a live labelling loop.
"""

import numpy as np
from sklearn.metrics import cohen_kappa_score

from .data import n_rows, take_rows
from .strategies.uncertainty import proba_uncertainty

__all__ = [
    "BudgetStopping",
    "StabilizingPredictions",
    "OverallUncertainty",
    "MaxConfidence",
    "ClassificationChange",
]


def _check_threshold(value, name):
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}.")


class BudgetStopping:
    """Stop once ``budget`` labels are used.

    Examples
    --------
    >>> from skal.stopping import BudgetStopping
    >>> BudgetStopping(100).update(None, None, n_labelled=100)
    True
    """

    def __init__(self, budget):
        if budget < 1:
            raise ValueError(f"budget must be at least 1, got {budget}.")
        self.budget = budget

    def update(self, learner, X_pool, n_labelled, X_new=None, y_new=None):
        return n_labelled >= self.budget


class StabilizingPredictions:
    """Stop when predictions on a stop set agree between rounds (Bloodgood & Vijay-Shanker, 2009).

    Cohen's kappa between consecutive rounds' predictions on a fixed stop set
    must reach ``threshold`` for ``window`` rounds in a row. The stop set is
    ``stop_set`` if given, else the first pool seen (subsampled to
    ``stop_set_size`` rows with ``random_state``).
    """

    def __init__(self, threshold=0.99, window=3, stop_set=None, stop_set_size=1000, random_state=None):
        _check_threshold(threshold, "threshold")
        self.threshold, self.window = threshold, window
        self.stop_set, self.stop_set_size, self.random_state = stop_set, stop_set_size, random_state
        self.kappas_, self._previous = [], None

    def update(self, learner, X_pool, n_labelled, X_new=None, y_new=None):
        if self.stop_set is None:
            size = n_rows(X_pool)
            rows = np.random.RandomState(self.random_state).permutation(size)[: self.stop_set_size]
            self.stop_set = take_rows(X_pool, np.sort(rows))
        predictions = np.asarray(learner.predict(self.stop_set))
        if self._previous is not None:
            same = np.array_equal(predictions, self._previous)
            self.kappas_.append(1.0 if same else cohen_kappa_score(self._previous, predictions))
        self._previous = predictions
        recent = self.kappas_[-self.window:]
        return len(recent) == self.window and min(recent) >= self.threshold


class OverallUncertainty:
    """Stop when the mean least-confidence uncertainty over the pool falls below ``threshold``."""

    def __init__(self, threshold=0.1):
        _check_threshold(threshold, "threshold")
        self.threshold = threshold

    def update(self, learner, X_pool, n_labelled, X_new=None, y_new=None):
        return float(proba_uncertainty(learner.predict_proba(X_pool)).mean()) < self.threshold


class MaxConfidence:
    """Stop when even the most uncertain pool row is confident (Zhu et al., 2008).

    Stops when the largest least-confidence uncertainty in the pool falls
    below ``threshold``.
    """

    def __init__(self, threshold=0.1):
        _check_threshold(threshold, "threshold")
        self.threshold = threshold

    def update(self, learner, X_pool, n_labelled, X_new=None, y_new=None):
        return float(proba_uncertainty(learner.predict_proba(X_pool)).max()) < self.threshold


class ClassificationChange:
    """Stop when the model already predicts every newly queried label (Zhu et al., 2008).

    If the current model classifies the whole new batch correctly, labelling
    it changes nothing.
    """

    def update(self, learner, X_pool, n_labelled, X_new=None, y_new=None):
        if X_new is None or y_new is None or n_rows(X_new) == 0:
            return False
        return bool(np.all(np.asarray(learner.predict(X_new)) == np.asarray(y_new)))
