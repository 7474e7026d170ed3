"""Bayesian optimisation with an active learner: BayesianOptimizer and its acquisition functions.

modAL's ``modAL.models.BayesianOptimizer`` and ``modAL.acquisition`` under
their names. The optimizer is an :class:`skal.ActiveLearner` around a
regressor whose ``predict(X, return_std=True)`` gives a mean and a standard
deviation (a :class:`~sklearn.gaussian_process.GaussianProcessRegressor`);
it keeps track of the best value seen (:meth:`BayesianOptimizer.get_max`).

* ``PI``, ``EI``, ``UCB``: probability of improvement, expected improvement
  and upper confidence bound of given means and standard deviations;
* ``optimizer_PI``, ``optimizer_EI``, ``optimizer_UCB``: the same for an
  optimizer's predictions over a pool (a model not fitted yet predicts mean 0,
  standard deviation 1, as in modAL);
* ``max_PI``, ``max_EI``, ``max_UCB``: query strategies picking the pool rows
  where they are largest, returning ``(indices, scores)``.
"""

import numpy as np
from scipy.special import ndtr
from scipy.stats import norm
from sklearn.exceptions import NotFittedError

from .data import n_rows, take_rows
from .learners import ActiveLearner
from .strategies.selection import select_top

__all__ = [
    "BayesianOptimizer",
    "PI",
    "EI",
    "UCB",
    "optimizer_PI",
    "optimizer_EI",
    "optimizer_UCB",
    "max_PI",
    "max_EI",
    "max_UCB",
]


def PI(mean, std, max_val, tradeoff):
    """Probability of improvement ``Φ((mean − max_val − tradeoff) / std)``.

    Parameters
    ----------
    mean : array-like
        Predicted means.
    std : array-like
        Predicted standard deviations (positive).
    max_val : float
        The best value seen so far.
    tradeoff : float
        How much improvement counts as improvement (exploration).

    Returns
    -------
    ndarray
        The probability of improvement of each point.

    Examples
    --------
    >>> from skal.optimization import PI
    >>> float(PI(1.0, 1.0, 1.0, 0.0))
    0.5
    """
    return ndtr((np.asarray(mean) - max_val - tradeoff) / np.asarray(std))


def EI(mean, std, max_val, tradeoff):
    """Expected improvement ``(mean − max_val − tradeoff)·Φ(z) + std·φ(z)``, ``z = (mean − max_val − tradeoff)/std``.

    Parameters
    ----------
    mean : array-like
        Predicted means.
    std : array-like
        Predicted standard deviations (positive).
    max_val : float
        The best value seen so far.
    tradeoff : float
        How much improvement counts as improvement (exploration).

    Returns
    -------
    ndarray
        The expected improvement of each point.

    Examples
    --------
    >>> from skal.optimization import EI
    >>> round(float(EI(1.0, 1.0, 1.0, 0.0)), 4)
    0.3989
    """
    mean, std = np.asarray(mean), np.asarray(std)
    improvement = mean - max_val - tradeoff
    z = improvement / std
    return improvement * ndtr(z) + std * norm.pdf(z)


def UCB(mean, std, beta):
    """Upper confidence bound ``mean + beta·std``.

    Parameters
    ----------
    mean : array-like
        Predicted means.
    std : array-like
        Predicted standard deviations (positive).
    beta : float
        Weight of the standard deviation (exploration).

    Returns
    -------
    ndarray
        The upper confidence bound of each point.

    Examples
    --------
    >>> from skal.optimization import UCB
    >>> float(UCB(1.0, 2.0, 0.5))
    2.0
    """
    return np.asarray(mean) + beta * np.asarray(std)


def _mean_std(optimizer, X):
    """The optimizer's predicted means and standard deviations, flat; 0 and 1 before any fit."""
    try:
        mean, std = optimizer.predict(X, return_std=True)
    except NotFittedError:
        n = n_rows(X)
        return np.zeros(n), np.ones(n)
    return np.asarray(mean, dtype=float).reshape(-1), np.asarray(std, dtype=float).reshape(-1)


def _y_max(optimizer):
    return optimizer.get_max()[1] if hasattr(optimizer, "get_max") else optimizer.y_max


def optimizer_PI(optimizer, X, tradeoff=0):
    """Probability of improvement over the best value so far, for each row of ``X``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    tradeoff : float, default=0
        Improvement needed to count (exploration).

    Returns
    -------
    ndarray of shape (n_samples,)
        The probability of improvement of each point.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, optimizer_PI
    >>> X = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor()).fit(X[:2], X[:2, 0])
    >>> optimizer_PI(optimizer, X).shape
    (5,)
    """
    mean, std = _mean_std(optimizer, X)
    return PI(mean, std, _y_max(optimizer), tradeoff)


def optimizer_EI(optimizer, X, tradeoff=0):
    """Expected improvement over the best value so far, for each row of ``X``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    tradeoff : float, default=0
        Improvement needed to count (exploration).

    Returns
    -------
    ndarray of shape (n_samples,)
        The expected improvement of each point.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, optimizer_EI
    >>> X = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor()).fit(X[:2], X[:2, 0])
    >>> optimizer_EI(optimizer, X).shape
    (5,)
    """
    mean, std = _mean_std(optimizer, X)
    return EI(mean, std, _y_max(optimizer), tradeoff)


def optimizer_UCB(optimizer, X, beta=1):
    """Upper confidence bound of the optimizer's prediction, for each row of ``X``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    beta : float, default=1
        Weight of the standard deviation (exploration).

    Returns
    -------
    ndarray of shape (n_samples,)
        The upper confidence bound of each point.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, optimizer_UCB
    >>> optimizer_UCB(BayesianOptimizer(GaussianProcessRegressor()), np.zeros((3, 1)))
    array([1., 1., 1.])
    """
    mean, std = _mean_std(optimizer, X)
    return UCB(mean, std, beta)


def max_PI(optimizer, X, tradeoff=0, n_instances=1):
    """Query the rows with the highest probability of improvement; returns ``(indices, scores)``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    tradeoff : float, default=0
        Improvement needed to count (exploration).
    n_instances : int, default=1
        How many points to pick.

    Returns
    -------
    indices : ndarray of int
        The chosen points, best first.
    scores : ndarray
        Their acquisition values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, max_PI
    >>> X = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor()).fit(X[:2], X[:2, 0])
    >>> max_PI(optimizer, X, n_instances=2)[0].shape
    (2,)
    """
    return select_top(optimizer_PI(optimizer, X, tradeoff=tradeoff), n_instances)


def max_EI(optimizer, X, tradeoff=0, n_instances=1):
    """Query the rows with the highest expected improvement; returns ``(indices, scores)``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    tradeoff : float, default=0
        Improvement needed to count (exploration).
    n_instances : int, default=1
        How many points to pick.

    Returns
    -------
    indices : ndarray of int
        The chosen points, best first.
    scores : ndarray
        Their acquisition values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, max_EI
    >>> X = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor()).fit(X[:2], X[:2, 0])
    >>> max_EI(optimizer, X)[0].shape
    (1,)
    """
    return select_top(optimizer_EI(optimizer, X, tradeoff=tradeoff), n_instances)


def max_UCB(optimizer, X, beta=1, n_instances=1):
    """Query the rows with the highest upper confidence bound; returns ``(indices, scores)``.

    Parameters
    ----------
    optimizer : BayesianOptimizer
        The optimizer whose predictions and best value are used.
    X : array-like of shape (n_samples, n_features)
        The candidate points.
    beta : float, default=1
        Weight of the standard deviation (exploration).
    n_instances : int, default=1
        How many points to pick.

    Returns
    -------
    indices : ndarray of int
        The chosen points, best first.
    scores : ndarray
        Their acquisition values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.optimization import BayesianOptimizer, max_UCB
    >>> X = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor()).fit(X[:2], X[:2, 0])
    >>> max_UCB(optimizer, X)[0].shape
    (1,)
    """
    return select_top(optimizer_UCB(optimizer, X, beta=beta), n_instances)


class BayesianOptimizer(ActiveLearner):
    """Active learner that looks for the maximum of a function (modAL's ``BayesianOptimizer``).

    Parameters
    ----------
    estimator : estimator object
        A regressor whose ``predict(X, return_std=True)`` gives a mean and a
        standard deviation, as a
        :class:`~sklearn.gaussian_process.GaussianProcessRegressor` does.
    query_strategy : callable or str, default=max_EI
        ``strategy(optimizer, X_pool, n_instances=1, **kwargs) -> (indices, scores)``
        (:func:`max_EI`, :func:`max_PI`, :func:`max_UCB`), or a registered name.
    X_training : array-like, default=None
        Initial evaluated points; the optimizer fits on them at first use.
    y_training : array-like, default=None
        The function's values at ``X_training``.
    bootstrap_init : bool, default=False
        Fit on a bootstrap resample of the training data.
    on_transformed : bool, default=False
        Tells representation-based strategies to work on the pipeline's
        transform of the rows.
    random_state : int, RandomState instance or None, default=None
        Seeds bootstrapping and the strategies that take a ``random_state``.

    Attributes
    ----------
    X_max, y_max : the row with the highest value seen so far and that value
        (``None`` and ``-inf`` before any data), also given by :meth:`get_max`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from sklearn.gaussian_process.kernels import Matern
    >>> from skal.optimization import BayesianOptimizer
    >>> X = np.linspace(0, 20, 200).reshape(-1, 1); y = np.sin(X[:, 0]) / 2 - (10 - X[:, 0]) ** 2 / 50 + 2
    >>> optimizer = BayesianOptimizer(GaussianProcessRegressor(Matern(length_scale=1.0)),
    ...                               X_training=X[[30]], y_training=y[[30]])
    >>> for _ in range(3):
    ...     idx, rows = optimizer.query(X)
    ...     optimizer = optimizer.teach(rows, y[idx])
    >>> optimizer.y_training_.shape
    (4,)
    """

    def __init__(
        self,
        estimator=None,
        query_strategy=max_EI,
        X_training=None,
        y_training=None,
        bootstrap_init=False,
        on_transformed=False,
        random_state=None,
    ):
        super().__init__(
            estimator=estimator,
            query_strategy=query_strategy,
            X_training=X_training,
            y_training=y_training,
            bootstrap_init=bootstrap_init,
            on_transformed=on_transformed,
            random_state=random_state,
        )

    def get_max(self):
        """The row with the highest value seen so far and that value.

        Returns
        -------
        X_max : array-like or None
            That row (shape (1, n_features)), or None before any data.
        y_max : float
            That value, ``-inf`` before any data.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.gaussian_process import GaussianProcessRegressor
        >>> from skal.optimization import BayesianOptimizer
        >>> X = np.array([[0.], [1.], [2.]]); y = np.array([0.5, 2.0, 1.0])
        >>> X_max, y_max = BayesianOptimizer(GaussianProcessRegressor()).fit(X, y).get_max()
        >>> X_max, float(y_max)
        (array([[1.]]), 2.0)
        """
        # the values seen need no model: read them without fitting
        X, y = (self.X_training_, self.y_training_) if hasattr(self, "estimator_") else (
            self.X_training, self.y_training)
        if X is None or y is None or n_rows(y) == 0:
            return None, -np.inf
        y = np.asarray(y, dtype=float).reshape(n_rows(y), -1)[:, 0]
        best = int(np.argmax(y))
        return take_rows(X, [best]), y[best]

    @property
    def X_max(self):
        """The row with the highest value seen so far (None before any data)."""
        return self.get_max()[0]

    @property
    def y_max(self):
        """The highest value seen so far (``-inf`` before any data)."""
        return self.get_max()[1]
