"""ActiveLearningSimulation: pool-based active learning replayed on labelled data, as an estimator.

Because it is a scikit-learn estimator, ``GridSearchCV`` over
``query_strategy`` is how a user picks a strategy, with any scorer.
"""

import copy
import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .data import check_consistent_rows, n_rows, take_rows
from .learners import ActiveLearner, _as_labels, _wrapper_tags
from .strategies.uncertainty import uncertainty_sampling

__all__ = ["ActiveLearningSimulation", "initial_rows", "learning_curve_area"]


def initial_rows(y, n_initial, method, rng, X=None):
    """Positions of the seed set.

    ``"stratified"``: one row of every class, the rest drawn uniformly;
    ``"random"``: uniform, redrawn until it holds two classes;
    ``"cold_start"``: the rows nearest ``n_initial`` k-means centroids of the
    (numeric) features, chosen without looking at any label.
    """
    size = y.shape[0]
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(f"y holds one class only ({classes[0]!r}); active learning needs at least two.")
    if not 1 <= n_initial <= size:
        raise ValueError(f"n_initial must be between 1 and the {size} training rows, got {n_initial}.")
    if method == "stratified":
        if n_initial < classes.shape[0]:
            raise ValueError(
                f"A stratified seed set needs n_initial >= the {classes.shape[0]} classes, got {n_initial}."
            )
        first = np.array([rng.choice(np.flatnonzero(y == c)) for c in classes])
        rest = np.setdiff1d(np.arange(size), first)
        extra = rng.choice(rest, n_initial - first.shape[0], replace=False)
        return np.sort(np.r_[first, extra])
    if method == "random":
        for _ in range(100):
            rows = rng.choice(size, n_initial, replace=False)
            if np.unique(y[rows]).shape[0] > 1:
                return np.sort(rows)
        raise ValueError("Could not draw a random seed set with two classes; use initial='stratified'.")
    if method == "cold_start":
        from .strategies.diversity import kmeans_sampling

        rows, _ = kmeans_sampling(None, X, n_instances=n_initial, random_state=rng.randint(np.iinfo(np.int32).max))
        if np.unique(y[rows]).shape[0] < 2:
            raise ValueError("The cold-start seed set holds one class only; raise n_initial or use 'stratified'.")
        return np.sort(rows)
    raise ValueError(f"initial must be 'stratified', 'random' or 'cold_start', got {method!r}.")


class ActiveLearningSimulation(MetaEstimatorMixin, BaseEstimator):
    """Simulate pool-based active learning on labelled data, using ``y`` as the oracle.

    Parameters
    ----------
    estimator : estimator object
        The model retrained every round (cloned at fit).
    query_strategy : callable, default=uncertainty_sampling
    n_initial : int, default=10
        Size of the seed set.
    initial : {"stratified", "random", "cold_start"}, default="stratified"
        How the seed set is drawn (see :func:`initial_rows`).
    batch_size : int, default=10
        Rows queried per round.
    n_queries : int, default=10
        Number of rounds, unless ``budget`` ends it first.
    budget : int or None, default=None
        Total labels, seed set included.
    stopping : stopping criterion or None, default=None
        An object of :mod:`skal.stopping`; copied at every fit.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; None is the estimator's ``score``.
    eval_size : float, default=0.25
        Share of the training rows held out to draw the learning curve when
        no ``eval_set`` is passed to fit. They are never queried.
    max_candidates : int or None, default=None
        Score only a random subset of this many pool rows per round.
    score_mode : {"final", "auc"}, default="final"
        What :meth:`score` returns: the scorer on the final model, or the
        area under the learning curve (mean score over the labels used,
        trapezoidal, in score units).
    on_transformed : bool, default=False
        Passed to the :class:`ActiveLearner`: representation-based strategies
        see the pipeline's features instead of the raw input.
    stream : dict or None, default=None
        Stream-based mode: the training rows not in the seed set arrive once,
        in random order, ``batch_size`` at a time, and each is labelled or let
        pass by :func:`skal.stream.simulate_stream`, which takes this dict as
        keyword arguments (e.g. ``{"strategy": "variable", "budget": 0.1}``).
        The estimator must have ``partial_fit``; ``query_strategy``,
        ``n_queries``, ``budget``, ``max_candidates`` and ``stopping`` are not used.
    random_state : int, RandomState instance or None, default=None
    verbose : bool, default=False
        A tqdm progress bar over rounds.

    Attributes
    ----------
    learner_ : ActiveLearner, the final learner.
    learning_curve_ : pandas.DataFrame
        One row per round: round, n_labelled, score, fit_time, query_time.
    queried_indices_ : list of ndarray
        Positions (in the X given to fit) queried each round; round 0 is the seed set.
    stopped_early_ : bool

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skal import ActiveLearningSimulation
    >>> from skal.strategies import entropy_sampling, random_sampling
    >>> X, y = load_digits(return_X_y=True)
    >>> sim = ActiveLearningSimulation(LogisticRegression(max_iter=200), n_initial=20,
    ...                                batch_size=20, n_queries=3, random_state=0)
    >>> search = GridSearchCV(sim, {"query_strategy": [random_sampling, entropy_sampling]}, cv=2)
    >>> search.fit(X[:600], y[:600]).best_params_["query_strategy"].__name__ in (
    ...     "random_sampling", "entropy_sampling")
    True
    """

    def __init__(self, estimator=None, query_strategy=uncertainty_sampling, n_initial=10, initial="stratified",
                 batch_size=10, n_queries=10, budget=None, stopping=None, scoring=None, eval_size=0.25,
                 max_candidates=None, score_mode="final", on_transformed=False, stream=None,
                 random_state=None, verbose=False):
        self.estimator = estimator
        self.query_strategy = query_strategy
        self.n_initial = n_initial
        self.initial = initial
        self.batch_size = batch_size
        self.n_queries = n_queries
        self.budget = budget
        self.stopping = stopping
        self.scoring = scoring
        self.eval_size = eval_size
        self.max_candidates = max_candidates
        self.score_mode = score_mode
        self.on_transformed = on_transformed
        self.stream = stream
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        return _wrapper_tags(super().__sklearn_tags__(), self.estimator)

    def _check_params(self):
        if self.estimator is None:
            raise ValueError("ActiveLearningSimulation needs an estimator.")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}.")
        if self.n_queries < 0:
            raise ValueError(f"n_queries must be >= 0, got {self.n_queries}.")
        if self.budget is not None and self.budget < self.n_initial:
            raise ValueError(f"budget ({self.budget}) is smaller than the seed set (n_initial={self.n_initial}).")
        if self.score_mode not in ("final", "auc"):
            raise ValueError(f"score_mode must be 'final' or 'auc', got {self.score_mode!r}.")
        if not 0.0 <= self.eval_size < 1.0:
            raise ValueError(f"eval_size must lie in [0, 1), got {self.eval_size}.")

    def fit(self, X, y, eval_set=None):
        """Run the simulation on ``(X, y)``; ``eval_set=(X_eval, y_eval)`` draws the learning curve."""
        self._check_params()
        check_consistent_rows(X, y)
        y = _as_labels(y)
        rng = check_random_state(self.random_state)
        positions = np.arange(y.shape[0])
        if eval_set is not None:
            X_eval, y_eval = eval_set
            check_consistent_rows(X_eval, y_eval)
            y_eval = _as_labels(y_eval)
        elif self.eval_size > 0:
            stratify = y if is_classifier(self.estimator) else None
            positions, held_out = train_test_split(positions, test_size=self.eval_size, stratify=stratify,
                                                   random_state=rng.randint(np.iinfo(np.int32).max))
            positions, held_out = np.sort(positions), np.sort(held_out)
            X_eval, y_eval = take_rows(X, held_out), y[held_out]
        else:
            X_eval = y_eval = None
        X_train, y_train = take_rows(X, positions), y[positions]
        seed = initial_rows(y_train, self.n_initial, self.initial, rng, X_train)
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        stopping = copy.deepcopy(self.stopping)

        learner = ActiveLearner(clone(self.estimator), self.query_strategy, on_transformed=self.on_transformed,
                                random_state=rng.randint(np.iinfo(np.int32).max))
        start = time.perf_counter()
        learner.fit(take_rows(X_train, seed), y_train[seed])
        labelled = np.zeros(y_train.shape[0], dtype=bool)
        labelled[seed] = True
        rounds = [self._record(0, labelled, learner, scorer, X_eval, y_eval, time.perf_counter() - start, 0.0)]
        queried = [positions[seed]]
        if self.stream is not None:
            return self._fit_stream(learner, rng, positions, seed, labelled, X_train, y_train, X_eval, y_eval,
                                    rounds[0])
        budget = self.budget if self.budget is not None else np.inf
        self.stopped_early_ = False
        progress = tqdm(range(1, self.n_queries + 1), disable=not self.verbose, desc="rounds", leave=False)
        for round_ in progress:
            pool = np.flatnonzero(~labelled)
            n = int(min(self.batch_size, budget - labelled.sum(), pool.shape[0]))
            if n < 1:
                break
            if self.max_candidates is not None and pool.shape[0] > self.max_candidates:
                pool = np.sort(rng.choice(pool, self.max_candidates, replace=False))
                n = min(n, pool.shape[0])
            X_pool = take_rows(X_train, pool)
            start = time.perf_counter()
            picked, _ = learner.query(X_pool, n_instances=n)
            query_time = time.perf_counter() - start
            chosen = pool[picked]
            X_new, y_new = take_rows(X_train, chosen), y_train[chosen]
            stop = stopping is not None and stopping.update(
                learner, X_pool, int(labelled.sum()) + n, X_new, y_new
            )
            start = time.perf_counter()
            learner.teach(X_new, y_new)
            labelled[chosen] = True
            rounds.append(self._record(round_, labelled, learner, scorer, X_eval, y_eval,
                                       time.perf_counter() - start, query_time))
            queried.append(positions[chosen])
            if stop:
                self.stopped_early_ = True
                break
        self.learner_ = learner
        self.learning_curve_ = pd.DataFrame(rounds)
        self.queried_indices_ = queried
        self.classes_ = getattr(learner, "classes_", None)
        return self

    def _fit_stream(self, learner, rng, positions, seed, labelled, X_train, y_train, X_eval, y_eval, start):
        from .stream import simulate_stream

        if not isinstance(self.stream, dict):
            raise ValueError(f"stream must be a dict of simulate_stream arguments or None, got {self.stream!r}.")
        order = rng.permutation(np.flatnonzero(~labelled))
        curve = simulate_stream(learner, take_rows(X_train, order), y_train[order], batch_size=self.batch_size,
                                X_eval=X_eval, y_eval=y_eval, scoring=self.scoring,
                                random_state=rng.randint(np.iinfo(np.int32).max), **self.stream)
        curve = curve.assign(round=np.arange(len(curve)))
        curve.loc[0, "score"] = start["score"]
        self.learner_ = learner
        self.learning_curve_ = curve
        self.queried_indices_ = [positions[seed], positions[order[curve.attrs["queried_indices"]]]]
        self.classes_ = getattr(learner, "classes_", None)
        self.stopped_early_ = False
        return self

    @staticmethod
    def _record(round_, labelled, learner, scorer, X_eval, y_eval, fit_time, query_time):
        score = scorer(learner, X_eval, y_eval) if X_eval is not None else np.nan
        return {"round": round_, "n_labelled": int(labelled.sum()), "score": float(score),
                "fit_time": fit_time, "query_time": query_time}

    def predict(self, X):
        """Predictions of the final model."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of the final model."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)

    def score(self, X, y):
        """The scorer on the final model, or the learning curve's area (``score_mode="auc"``).

        The area is computed on the evaluation data used during fit, so in
        ``"auc"`` mode ``X`` and ``y`` are not used.
        """
        check_is_fitted(self, "learner_")
        if self.score_mode == "auc":
            return learning_curve_area(self.learning_curve_)
        return check_scoring(self.estimator, scoring=self.scoring)(self.learner_, X, y)


def learning_curve_area(curve):
    """Mean score under a learning curve (trapezoidal over labels used), in score units."""
    x, s = curve["n_labelled"].to_numpy(float), curve["score"].to_numpy(float)
    if x.shape[0] < 2 or x[-1] == x[0]:
        return float(s[-1])
    return float(np.trapezoid(s, x) / (x[-1] - x[0]))
