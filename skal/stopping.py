"""Stopping criteria for active learning, for live loops and for recorded histories.

Every criterion splits its work in two:

``measure(learner, X_pool=None, n_labelled=None) -> float``
    One number per round, taken from the model after it was (re)trained:
    labels used, Cohen's kappa with the previous round's predictions, the
    pool's mean uncertainty...
``should_stop(history) -> bool``
    The decision, from the sequence of those numbers, oldest first.

``update(learner, X_pool, n_labelled)`` does both and keeps the numbers in
``history_``: call it once per round, after ``teach``, in a live labelling
loop (or let :class:`skal.ActiveLearningSimulation` call it). On a history
recorded earlier (a list, or the ``stop_value`` column of a simulation's
``learning_curve_``), ``stopping_round(history)`` says at which round the
criterion would have stopped, without any model.

The criteria are scikit-learn estimators in the sense of ``get_params`` and
:func:`~sklearn.base.clone`: a simulation clones its criterion at every fit,
and grid searches can tune their thresholds.

Examples
--------
A live loop (``ask_oracle`` stands for the human labeller):

>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> from skal import ActiveLearner
>>> from skal.stopping import StabilizingPredictions
>>> rng = np.random.RandomState(0)
>>> X = rng.normal(size=(500, 2)); y = (X[:, 0] > 0).astype(int)
>>> ask_oracle = lambda rows: y[rows]
>>> learner = ActiveLearner(LogisticRegression()).fit(X[:10], y[:10])
>>> pool = np.arange(10, 500)
>>> stop = StabilizingPredictions(threshold=0.99, window=3, stop_set=X[10:])
>>> stop.update(learner, X[pool], n_labelled=10)
False
>>> for _ in range(30):
...     idx, _ = learner.query(X[pool], n_instances=5)
...     _ = learner.teach(X[pool[idx]], ask_oracle(pool[idx]))
...     pool = np.delete(pool, idx)
...     if stop.update(learner, X[pool], n_labelled=len(learner.y_training_)):
...         break
>>> len(learner.y_training_), [round(k, 3) for k in stop.history_[-3:]]
(130, [1.0, 0.996, 0.992])
>>> stop.stopping_round(stop.history_) == len(stop.history_) - 1
True

The same criterion on a hand-made history of kappas:

>>> StabilizingPredictions(threshold=0.99, window=2).stopping_round([np.nan, 0.9, 0.995, 1.0, 1.0])
3
"""


import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import cohen_kappa_score
from sklearn.utils import check_random_state

from .data import n_rows, take_rows
from .parameters import Int, RealNumber, StrOptions
from .strategies.uncertainty import proba_entropy, proba_uncertainty

__all__ = [
    "StoppingCriterion",
    "BudgetStopping",
    "StabilizingPredictions",
    "ClassificationChange",
    "OverallUncertainty",
    "MaxConfidence",
]


#: A share or a kappa: a number in [0, 1].
_UNIT = RealNumber(0, 1, closed="both")
#: What a stop set may be: any rows the learner predicts on.
_STOP_SET = ["array-like", "sparse matrix", None]


def _as_history(history):
    return np.asarray(history, dtype=float).ravel()


class StoppingCriterion(BaseEstimator):
    """Base class: one number per round (:meth:`measure`), one decision on their history.

    Subclasses declare ``_parameter_constraints`` and implement
    :meth:`measure` and :meth:`should_stop`; the rest is shared. The
    parameters are validated where a criterion starts: at the first
    :meth:`update` and at every :meth:`stopping_round`.

    Attributes
    ----------
    history_ : list of float
        The numbers measured by :meth:`update`, one per round, oldest first
        (NaN where there was nothing to measure).

    Examples
    --------
    >>> from skal.stopping import StoppingCriterion
    >>> class AfterRounds(StoppingCriterion):
    ...     _parameter_constraints = {}
    ...     def measure(self, learner, X_pool=None, n_labelled=None):
    ...         return float(len(getattr(self, "history_", [])))
    ...     def should_stop(self, history):
    ...         return len(history) >= 3
    >>> stop = AfterRounds()
    >>> [stop.update(None) for _ in range(3)]
    [False, False, True]
    """

    _parameter_constraints: dict = {}

    def measure(self, learner, X_pool=None, n_labelled=None):
        """This round's number (NaN when there is nothing to measure).

        Parameters
        ----------
        learner : fitted ActiveLearner, Committee or classifier
            The model after this round's training.
        X_pool : array-like or None, default=None
            The unlabelled pool (or a sample of it).
        n_labelled : int or None, default=None
            Labels used so far.

        Returns
        -------
        value : float
            What the criterion measures this round.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> BudgetStopping(100).measure(None, n_labelled=40)
        40.0
        """
        raise NotImplementedError

    def should_stop(self, history):
        """Whether to stop after the last round of ``history`` (numbers, oldest first).

        Parameters
        ----------
        history : sequence of float
            The numbers :meth:`measure` returned, one per round, oldest first.

        Returns
        -------
        stop : bool
            True when the criterion says stop.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> BudgetStopping(100).should_stop([40, 100])
        True
        """
        raise NotImplementedError

    def update(self, learner, X_pool=None, n_labelled=None):
        """Measure this round, append it to ``history_`` and say whether to stop.

        Call it once per round, after the model was trained on the newest
        labels. The first call validates the parameters.

        Parameters
        ----------
        learner : fitted ActiveLearner, Committee or classifier
            The model after this round's training.
        X_pool : array-like or None, default=None
            The unlabelled pool (or a sample of it).
        n_labelled : int or None, default=None
            Labels used so far.

        Returns
        -------
        stop : bool
            Whether to stop after this round.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> stop = BudgetStopping(20)
        >>> stop.update(None, n_labelled=10), stop.update(None, n_labelled=20), stop.history_
        (False, True, [10.0, 20.0])
        """
        if not hasattr(self, "history_"):
            self._validate_params()
        value = float(self.measure(learner, X_pool, n_labelled))
        self.history_ = [*getattr(self, "history_", []), value]
        return bool(self.should_stop(self.history_))

    def stopping_round(self, history):
        """First round (position in ``history``) after which the criterion stops, or None.

        Parameters
        ----------
        history : sequence of float
            Numbers this criterion measured, one per round, oldest first (a
            hand-made curve, or ``learning_curve_["stop_value"]``).

        Returns
        -------
        round : int or None
            The position in ``history`` of the round it stops after; None
            when it never stops.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> BudgetStopping(50).stopping_round([10, 30, 50, 70]), BudgetStopping(90).stopping_round([10])
        (2, None)
        """
        self._validate_params()
        values = _as_history(history)
        for end in range(1, values.shape[0] + 1):
            if self.should_stop(values[:end]):
                return end - 1
        return None

    def reset(self):
        """Forget what was measured, to start a new loop with the same criterion.

        Returns
        -------
        self : StoppingCriterion
            The criterion, with no fitted attribute left.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> stop = BudgetStopping(20)
        >>> _ = stop.update(None, n_labelled=10)
        >>> hasattr(stop.reset(), "history_")
        False
        """
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)
        return self


class BudgetStopping(StoppingCriterion):
    """Stop once ``budget`` labels are used.

    Measures the number of labels used.

    Parameters
    ----------
    budget : int, default=100
        Labels in total, seed set included.

    Examples
    --------
    >>> from skal.stopping import BudgetStopping
    >>> BudgetStopping(100).stopping_round([20, 60, 100, 140])
    2
    """

    _parameter_constraints: dict = {"budget": [Int(1)]}

    def __init__(self, budget=100):
        self.budget = budget

    def measure(self, learner, X_pool=None, n_labelled=None):
        """The labels used: ``n_labelled``, else the learner's training rows.

        Parameters
        ----------
        learner : ActiveLearner or Committee
            Read (``y_training_``) only when ``n_labelled`` is None.
        X_pool : array-like or None, default=None
            Not used.
        n_labelled : int or None, default=None
            Labels used so far.

        Returns
        -------
        value : float
            The number of labels used.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> BudgetStopping(100).measure(None, n_labelled=40)
        40.0
        """
        if n_labelled is None:
            n_labelled = n_rows(learner.y_training_)
        return float(n_labelled)

    def should_stop(self, history):
        """Whether the last round used ``budget`` labels or more.

        Parameters
        ----------
        history : sequence of float
            Labels used, one per round, oldest first.

        Returns
        -------
        stop : bool
            True once the budget is reached.

        Examples
        --------
        >>> from skal.stopping import BudgetStopping
        >>> BudgetStopping(100).should_stop([40, 90])
        False
        """
        last = _as_history(history)[-1]
        return bool(last >= self.budget)


class _StopSetCriterion(StoppingCriterion):
    """Criteria comparing consecutive rounds' predictions on a fixed stop set."""

    def _stop_set(self, X_pool):
        if self.stop_set is not None:
            return self.stop_set
        if not hasattr(self, "stop_set_"):
            size = 0 if X_pool is None else n_rows(X_pool)
            if size == 0:
                return None
            rng = check_random_state(self.random_state)
            rows = np.sort(rng.permutation(size)[: self.stop_set_size])
            self.stop_set_ = take_rows(X_pool, rows)
        return self.stop_set_

    def _predictions(self, learner, X_pool):
        """(previous, current) predictions on the stop set; previous is None at first."""
        stop_set = self._stop_set(X_pool)
        if stop_set is None:
            return None, None
        current = np.asarray(learner.predict(stop_set))
        previous = getattr(self, "previous_predictions_", None)
        self.previous_predictions_ = current
        return previous, current


class StabilizingPredictions(_StopSetCriterion):
    """Stop when predictions on a stop set stabilise (Bloodgood & Vijay-Shanker, 2009).

    Measures Cohen's kappa between this round's and the previous round's
    predictions on a fixed, unlabelled stop set (1.0 when they are identical,
    NaN at the first round); stops when the last ``window`` kappas all reach
    ``threshold``.

    Parameters
    ----------
    threshold : float in [0, 1], default=0.99
        Kappa every one of the last ``window`` rounds must reach.
    window : int, default=3
        Consecutive rounds of agreement required.
    stop_set : array-like or None, default=None
        Rows to predict on. None draws ``stop_set_size`` rows of the first
        pool passed to :meth:`update` (with ``random_state``) and keeps them.
    stop_set_size : int, default=2000
        Rows drawn from the pool when ``stop_set`` is None.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of the stop set.

    Attributes
    ----------
    history_ : list of float
        The kappas, one per round.
    stop_set_ : array-like
        The stop set drawn from the pool (when ``stop_set`` is None).

    Examples
    --------
    >>> from skal.stopping import StabilizingPredictions
    >>> StabilizingPredictions(window=3).stopping_round([float("nan"), 0.7, 0.99, 1.0, 0.995])
    4
    """

    _parameter_constraints: dict = {"threshold": [_UNIT], "window": [Int(1)], "stop_set": _STOP_SET,
                                    "stop_set_size": [Int(1)], "random_state": ["random_state"]}

    def __init__(self, threshold=0.99, window=3, stop_set=None, stop_set_size=2000, random_state=None):
        self.threshold = threshold
        self.window = window
        self.stop_set = stop_set
        self.stop_set_size = stop_set_size
        self.random_state = random_state

    def measure(self, learner, X_pool=None, n_labelled=None):
        """Cohen's kappa between this round's and the previous round's stop-set predictions.

        Parameters
        ----------
        learner : fitted ActiveLearner, Committee or classifier
            The model after this round's training; it predicts the stop set.
        X_pool : array-like or None, default=None
            The pool the stop set is drawn from at the first call, when
            ``stop_set`` is None.
        n_labelled : int or None, default=None
            Not used.

        Returns
        -------
        value : float
            The kappa (1.0 for identical predictions), NaN at the first round
            or without a stop set.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal.stopping import StabilizingPredictions
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> model = LogisticRegression().fit(X, [0, 0, 1, 1])
        >>> stop = StabilizingPredictions(stop_set=X)
        >>> stop.measure(model), stop.measure(model)
        (nan, 1.0)
        """
        previous, current = self._predictions(learner, X_pool)
        if previous is None:
            return np.nan
        if np.array_equal(previous, current):
            return 1.0
        return float(cohen_kappa_score(previous, current))

    def should_stop(self, history):
        """Whether the last ``window`` kappas all reach ``threshold``.

        Parameters
        ----------
        history : sequence of float
            Kappas, one per round, oldest first.

        Returns
        -------
        stop : bool
            True when predictions have been stable for ``window`` rounds.

        Examples
        --------
        >>> from skal.stopping import StabilizingPredictions
        >>> StabilizingPredictions(window=2).should_stop([0.5, 0.995, 1.0])
        True
        """
        recent = _as_history(history)[-self.window:]
        return bool(recent.shape[0] == self.window and np.all(recent >= self.threshold))


class ClassificationChange(_StopSetCriterion):
    """Stop when no prediction on the stop set changes between two rounds (Zhu et al., 2008).

    Measures the share of stop-set rows whose predicted label changed since
    the previous round (NaN at the first round); stops when it is at most
    ``threshold`` (0: no change at all, as in the paper).

    Parameters
    ----------
    threshold : float in [0, 1], default=0.0
        Share of changed predictions still counted as "no change".
    stop_set : array-like or None, default=None
        As in :class:`StabilizingPredictions`: None draws ``stop_set_size``
        rows of the first pool seen.
    stop_set_size : int, default=2000
        Rows drawn from the pool when ``stop_set`` is None.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of the stop set.

    Examples
    --------
    >>> from skal.stopping import ClassificationChange
    >>> ClassificationChange(threshold=0.01).stopping_round([float("nan"), 0.2, 0.05, 0.0])
    3
    """

    _parameter_constraints: dict = {"threshold": [_UNIT], "stop_set": _STOP_SET, "stop_set_size": [Int(1)],
                                    "random_state": ["random_state"]}

    def __init__(self, threshold=0.0, stop_set=None, stop_set_size=2000, random_state=None):
        self.threshold = threshold
        self.stop_set = stop_set
        self.stop_set_size = stop_set_size
        self.random_state = random_state

    def measure(self, learner, X_pool=None, n_labelled=None):
        """Share of stop-set rows whose prediction changed since the previous round.

        Parameters
        ----------
        learner : fitted ActiveLearner, Committee or classifier
            The model after this round's training; it predicts the stop set.
        X_pool : array-like or None, default=None
            The pool the stop set is drawn from at the first call, when
            ``stop_set`` is None.
        n_labelled : int or None, default=None
            Not used.

        Returns
        -------
        value : float
            The share of changed predictions, NaN at the first round or
            without a stop set.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal.stopping import ClassificationChange
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> model = LogisticRegression().fit(X, [0, 0, 1, 1])
        >>> stop = ClassificationChange(stop_set=X)
        >>> stop.measure(model), stop.measure(model)
        (nan, 0.0)
        """
        previous, current = self._predictions(learner, X_pool)
        if previous is None:
            return np.nan
        return float(np.mean(previous != current))

    def should_stop(self, history):
        """Whether the last share of changed predictions is at most ``threshold``.

        Parameters
        ----------
        history : sequence of float
            Shares of changed predictions, one per round, oldest first.

        Returns
        -------
        stop : bool
            True when predictions stopped changing (NaN never stops).

        Examples
        --------
        >>> from skal.stopping import ClassificationChange
        >>> ClassificationChange().should_stop([float("nan"), 0.1, 0.0])
        True
        """
        last = _as_history(history)[-1]
        return bool(last <= self.threshold)  # NaN compares False


def _uncertainty(proba, kind):
    """Per-row uncertainty in [0, 1]: least confidence, or entropy over log(n_classes)."""
    if kind == "least_confident":
        return proba_uncertainty(proba)
    return proba_entropy(proba) / np.log(max(np.shape(proba)[1], 2))


class _UncertaintyCriterion(StoppingCriterion):
    _reduce = None
    _parameter_constraints: dict = {"threshold": [_UNIT],
                                    "uncertainty": [StrOptions({"entropy", "least_confident"})]}

    def __init__(self, threshold=0.05, uncertainty="entropy"):
        self.threshold = threshold
        self.uncertainty = uncertainty

    def measure(self, learner, X_pool=None, n_labelled=None):
        """The pool's uncertainty, reduced to one number (NaN for an empty pool)."""
        if X_pool is None or n_rows(X_pool) == 0:
            return np.nan
        return float(type(self)._reduce(_uncertainty(learner.predict_proba(X_pool), self.uncertainty)))

    def should_stop(self, history):
        """Whether the last number fell below ``threshold`` (NaN never stops)."""
        last = _as_history(history)[-1]
        return bool(last < self.threshold)  # NaN compares False


class OverallUncertainty(_UncertaintyCriterion):
    """Stop when the pool's mean uncertainty falls below ``threshold`` (Zhu et al., 2008).

    Measures the mean uncertainty of the model over the unlabelled pool.

    Parameters
    ----------
    threshold : float in [0, 1], default=0.05
        Mean uncertainty below which the criterion stops.
    uncertainty : {"entropy", "least_confident"}, default="entropy"
        Entropy of the predicted probabilities divided by log(n_classes), or
        1 - max probability; both lie in [0, 1].

    Examples
    --------
    >>> from skal.stopping import OverallUncertainty
    >>> OverallUncertainty(threshold=0.1).stopping_round([0.4, 0.2, 0.12, 0.08])
    3
    """

    _reduce = staticmethod(np.mean)


class MaxConfidence(_UncertaintyCriterion):
    """Stop when even the most uncertain pool row is confident (Zhu et al., 2008).

    Measures the largest uncertainty over the unlabelled pool, the row an
    uncertainty sampler would ask for next; stops when it falls below
    ``threshold``. Stricter than :class:`OverallUncertainty`.

    Parameters
    ----------
    threshold : float in [0, 1], default=0.05
        Largest uncertainty below which the criterion stops.
    uncertainty : {"entropy", "least_confident"}, default="entropy"
        As in :class:`OverallUncertainty`.

    Examples
    --------
    >>> from skal.stopping import MaxConfidence
    >>> MaxConfidence(threshold=0.3).stopping_round([0.99, 0.6, 0.25])
    2
    """

    _reduce = staticmethod(np.max)
