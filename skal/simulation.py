"""ActiveLearningSimulation: pool-based active learning replayed on labelled data, as an estimator.

A user picks a query strategy by replaying active learning on data that is
already labelled, with the labels as the oracle. Because the replay is a
scikit-learn estimator, ``GridSearchCV(sim, {"query_strategy": [...]})``,
``cross_validate`` and every scikit-learn scorer compare strategies with no
new API.
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .data import is_numeric, take_rows
from .fitted_learner import FittedLearnerMixin
from .learners import wrapper_tags
from .parameters import HasMethods, Int, RealNumber, StrOptions
from .simulation_start import INITIAL_METHODS, initial_rows, start_simulation
from .strategies.uncertainty import uncertainty_sampling
from .targets import encode_like

__all__ = ["ActiveLearningSimulation", "initial_rows", "learning_curve_area"]


def learning_curve_area(curve):
    """Area under a learning curve divided by the label range: a mean score, in score units.

    Trapezoidal over ``n_labelled``; a curve of one point gives that point's score.

    Parameters
    ----------
    curve : DataFrame
        A learning curve: columns ``n_labelled`` and ``score``, one row per round.

    Returns
    -------
    area : float
        The mean score over the label range (NaN for an empty curve).

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.simulation import learning_curve_area
    >>> learning_curve_area(pd.DataFrame({"n_labelled": [10, 20, 30], "score": [0.5, 0.7, 0.9]}))
    0.7
    """
    x, s = curve["n_labelled"].to_numpy(float), curve["score"].to_numpy(float)
    if x.shape[0] == 0:
        return float("nan")
    if x.shape[0] < 2 or x[-1] == x[0]:
        return float(s[-1])
    trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only the old name
    return round(float(trapezoid(s, x) / (x[-1] - x[0])), 12)


class ActiveLearningSimulation(FittedLearnerMixin, MetaEstimatorMixin, BaseEstimator):
    """Replay pool-based active learning on labelled data, with ``y`` as the oracle.

    ``fit(X, y)`` draws a seed set from the training rows, fits a clone of
    ``estimator`` on it through a :class:`skal.ActiveLearner`, then for each
    round asks ``query_strategy`` for ``batch_size`` pool rows, reveals their
    labels from ``y``, retrains and scores the model on held-out data. The
    learning curve, the queried rows and the timings are recorded; the final
    model predicts. Grid-search ``query_strategy`` to pick a strategy.

    Parameters
    ----------
    estimator : estimator object
        The model retrained every round (a clone per fit); any scikit-learn
        classifier or pipeline, or :class:`skal.TransformerClassifier`.
    query_strategy : callable, default=uncertainty_sampling
        A skal (or modAL) query strategy.
    n_initial : int, default=10
        Size of the seed set.
    initial : {"stratified", "random", "cold_start"} or callable, default="stratified"
        How the seed set is drawn (see :func:`initial_rows`). ``"cold_start"``
        clusters the features; for a Pipeline on raw input (e.g. texts) it
        clusters the output of its first steps, fitted without labels. A
        callable is a label-free strategy run on those same features, e.g.
        :func:`skal.strategies.typiclust_sampling` or
        :func:`skal.strategies.probcover_sampling`.
    batch_size : int, default=10
        Rows queried per round.
    n_queries : int, None or "auto", default="auto"
        Rounds of querying; None queries until ``budget`` or the pool runs
        out. ``"auto"``: None when ``budget`` is set (the budget is spent),
        else 10 rounds.
    budget : int or None, default=None
        Labels in total, seed set included; the last batch is cut to fit it.
        The simulation labels exactly this many unless the pool runs out or
        ``stopping`` fires first. Setting both ``budget`` and an int
        ``n_queries`` that do not lead to the same number of rounds raises a
        ValueError (one of them would be silently ignored).
    stopping : stopping criterion or None, default=None
        An object of :mod:`skal.stopping`, cloned at every fit and updated
        after every round; when it says stop, the simulation ends early.
    scoring : str, callable or None, default=None
        Any scikit-learn scorer (``"accuracy"``, ``"f1_macro"``,
        ``make_scorer(...)``); None is the estimator's own ``score``.
    eval_size : float, default=0.25
        When no ``eval_set`` is passed to :meth:`fit`, the share of the
        training rows held out (stratified for classifiers) to score the
        learning curve on. They are never queried. 0 draws no curve.
    max_candidates : int or None, default=None
        Each round, the strategy scores a random subset of this many pool rows
        instead of the whole pool (pool subsampling keeps large pools fast).
    score_mode : {"final", "auc"}, default="final"
        What :meth:`score` returns: the scorer on the final model, or the area
        under the learning curve (:func:`learning_curve_area`).
    on_transformed : bool, default=False
        Passed to :class:`skal.ActiveLearner`: representation-based strategies
        see the output of the pipeline minus its last step.
    stream : dict or None, default=None
        Deprecated, removed in the next release: use
        :class:`skal.stream.StreamSimulation`, which takes this dict's keys
        as parameters (``StreamSimulation(estimator, strategy="variable",
        budget=0.1, ...)``) with ``n_initial``, ``initial``, ``batch_size``,
        ``scoring``, ``eval_size``, ``score_mode`` and ``random_state``, and
        gives the same results for the same ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split, the seed set, the strategies, pool
        subsampling and the stopping criterion: an int gives the same curve
        and queries at every fit.
    verbose : bool, default=False
        Show a tqdm progress bar over the rounds.

    Attributes
    ----------
    learner_ : ActiveLearner
        The learner after the last round; it predicts.
    learning_curve_ : pandas.DataFrame
        One row per round (round 0 is the seed set): ``round``,
        ``n_labelled``, ``score`` (NaN without evaluation data),
        ``fit_time`` and ``query_time`` in seconds, and ``stop_value`` (what
        the stopping criterion measured) when ``stopping`` is set.
    queried_indices_ : list of ndarray
        Positions, in the ``X`` given to fit, of the rows labelled in each
        round; the first array is the seed set.
    eval_indices_ : ndarray or None
        Positions, in the ``X`` given to fit, of the rows held out to score
        the learning curve (None with ``eval_set`` or ``eval_size=0``).
    stopped_early_ : bool
        Whether ``stopping`` ended the simulation.
    stopping_ : stopping criterion or None
        The fitted clone of ``stopping``.
    classes_ : ndarray
        Class labels (classifiers).

    See Also
    --------
    skal.comparison.compare_strategies : Every strategy × several seeds, as a table.
skal.stream.StreamSimulation : Stream-based active learning replayed the same way.

    Notes
    -----
    With ``score_mode="auc"``, :meth:`score` returns the area under the curve
    recorded during fit (on ``eval_set`` or the held-out slice of the training
    rows), so in cross-validation the test fold is not used by it; the
    training folds' held-out slices play that role.

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
    >>> sim.fit(X[:600] / 16, y[:600]).learning_curve_["n_labelled"].tolist()
    [20, 40, 60, 80]
    >>> search = GridSearchCV(sim, {"query_strategy": [random_sampling, entropy_sampling]},
    ...                       scoring="accuracy", cv=2).fit(X[:600] / 16, y[:600])
    >>> search.best_params_["query_strategy"].__name__ in ("random_sampling", "entropy_sampling")
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "query_strategy": [callable],
        "n_initial": [Int(1)],
        "initial": [StrOptions(set(INITIAL_METHODS)), callable],
        "batch_size": [Int(1)],
        "n_queries": [Int(0), None, StrOptions({"auto"})],
        "budget": [Int(1), None],
        "stopping": [HasMethods(["update"]), None],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "eval_size": [RealNumber(0, 1, closed="left")],
        "max_candidates": [Int(1), None],
        "score_mode": [StrOptions({"final", "auc"})],
        "on_transformed": ["boolean"],
        "stream": [dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, query_strategy=uncertainty_sampling, n_initial=10, initial="stratified",
                 batch_size=10, n_queries="auto", budget=None, stopping=None, scoring=None, eval_size=0.25,
                 max_candidates=None, score_mode="final", on_transformed=False, stream=None, random_state=None,
                 verbose=False):
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
        return wrapper_tags(super().__sklearn_tags__(), self.estimator)

    # ----------------------------------------------------------- validation
    def _check_budget(self):
        """The checks that relate parameters to each other: the budget, the seed set and the rounds."""
        if self.budget is not None and self.budget < self.n_initial:
            raise ValueError(f"budget ({self.budget}) is smaller than the seed set (n_initial={self.n_initial}).")
        if self.stream is None and self.budget is not None and isinstance(self.n_queries, (int, np.integer)):
            rounds = -(-(self.budget - self.n_initial) // self.batch_size)  # rounds that spend the budget
            if self.n_queries != rounds:
                effect = (f"n_queries={self.n_queries} would stop at "
                          f"{self.n_initial + self.n_queries * self.batch_size} labels, short of the budget"
                          if self.n_queries < rounds else
                          f"the budget would end the run before n_queries={self.n_queries} rounds")
                raise ValueError(
                    f"budget={self.budget} and n_queries={self.n_queries} conflict: with n_initial="
                    f"{self.n_initial} and batch_size={self.batch_size}, the budget takes {rounds} rounds, "
                    f"so {effect}. Set n_queries='auto' (or None) to spend the budget, or budget=None to run "
                    f"n_queries rounds."
                )

    # -------------------------------------------------------------- fitting
    def fit(self, X, y, eval_set=None):
        """Run the simulation: set up (:func:`start_simulation`), query round after round, record.

        Parameters
        ----------
        X : array-like, sparse matrix, list of str or DataFrame
            The labelled rows; those not held out form the seed set and the pool.
        y : array-like of shape (n_samples,)
            Their labels: the oracle.
        eval_set : (X_eval, y_eval) or None, default=None
            Data to score the learning curve on; None holds out ``eval_size``
            of the rows instead.

        Returns
        -------
        self : ActiveLearningSimulation
            The fitted simulation: ``learning_curve_``, ``queried_indices_``
            and the final ``learner_``.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearningSimulation
        >>> X, y = load_iris(return_X_y=True)
        >>> sim = ActiveLearningSimulation(LogisticRegression(), n_initial=6, batch_size=3, n_queries=2,
        ...                                random_state=0).fit(X, y)
        >>> sim.learning_curve_["n_labelled"].tolist(), [len(rows) for rows in sim.queried_indices_]
        ([6, 9, 12], [6, 3, 3])
        """
        self._validate_params()
        self._check_budget()
        if self.stream is not None:
            warnings.warn("ActiveLearningSimulation(stream=...) is deprecated and will be removed in the next "
                          "release: use skal.stream.StreamSimulation(estimator, **stream, ...), which gives the "
                          "same results.", FutureWarning, stacklevel=2)
            return self._fit_as_stream(X, y, eval_set)
        start = start_simulation(self, X, y, eval_set)
        rounds, order, stopping, stopped = self._query_rounds(start)
        return self._store(start, rounds, order, stopping, stopped)

    def _query_rounds(self, start):
        """The loop: query a batch, reveal its labels, retrain, score; until a limit or the criterion says stop."""
        learner, X_train = start.learner, start.X_train
        stopping = self._stopping(start.seeds["stopping"])
        candidate_rng = np.random.RandomState(start.seeds["candidates"])
        labelled = np.zeros(start.y_train.shape[0], dtype=bool)
        labelled[start.seed_rows] = True
        order = [start.seed_rows]  # positions in X_train, in the order they were labelled
        rounds = [self._record(0, start.seed_rows.shape[0], start, start.fit_time, 0.0)]
        budget = np.inf if self.budget is None else self.budget
        n_queries = self._n_queries()
        stopped, round_ = False, 0
        progress = tqdm(total=None if np.isinf(n_queries) else n_queries, disable=not self.verbose,
                        desc=getattr(self.query_strategy, "__name__", "rounds"), unit="round", leave=False)
        while True:
            pool = np.flatnonzero(~labelled)
            if self.max_candidates is not None and pool.shape[0] > self.max_candidates:
                pool = np.sort(candidate_rng.choice(pool, self.max_candidates, replace=False))
            if stopping is not None:
                stopped = stopping.update(learner, take_rows(X_train, pool) if pool.size else None,
                                          int(labelled.sum()))
                rounds[-1]["stop_value"] = stopping.history_[-1]
                if stopped:
                    break
            n = int(min(self.batch_size, budget - labelled.sum(), pool.shape[0]))
            if round_ >= n_queries or n < 1:
                break
            round_ += 1
            began = time.perf_counter()
            picked, _ = self._query(learner, take_rows(X_train, pool), n)
            query_time = time.perf_counter() - began
            chosen = pool[picked]
            labelled[chosen] = True
            order.append(chosen)
            fit_time = self._learn(start, chosen, order)
            rounds.append(self._record(round_, int(labelled.sum()), start, fit_time, query_time))
            progress.update(1)
        progress.close()
        return rounds, order, stopping, bool(stopped)

    def _stopping(self, seed):
        """A fresh clone of ``stopping``, seeded from the simulation when its own ``random_state`` is None."""
        if self.stopping is None:
            return None
        stopping = clone(self.stopping)
        if "random_state" in stopping.get_params() and stopping.get_params()["random_state"] is None:
            stopping.set_params(random_state=int(seed))
        return stopping

    def _learn(self, start, chosen, order):
        """Teach the newly labelled rows (refit on all labels when they bring a new class); the seconds it took."""
        learner, X_train, y_train = start.learner, start.X_train, start.y_train
        y_new = y_train[chosen]
        began = time.perf_counter()
        if is_classifier(self.estimator) and np.setdiff1d(np.unique(y_new), learner.classes_).size:
            # A class the seed set lacked: refit on every label so far (teach refuses new classes).
            rows = np.concatenate(order)
            learner.fit(take_rows(X_train, rows), y_train[rows])
        else:
            learner.teach(take_rows(X_train, chosen), y_new)
        return time.perf_counter() - began

    @staticmethod
    def _record(round_, n_labelled, start, fit_time, query_time):
        """One row of the learning curve."""
        score = (float(start.scorer(start.learner, start.X_eval, start.y_eval)) if start.X_eval is not None
                 else np.nan)
        return {"round": round_, "n_labelled": n_labelled, "score": score,
                "fit_time": fit_time, "query_time": query_time}

    def _store(self, start, rounds, order, stopping, stopped):
        """Write the fitted attributes, all at the end (a failed run leaves none)."""
        self.learner_ = start.learner
        self.learning_curve_ = pd.DataFrame(rounds)
        self.queried_indices_ = [start.positions[rows] for rows in order]
        self.eval_indices_ = start.eval_indices
        self.stopped_early_ = stopped
        self.stopping_ = stopping
        self.label_binarizer_ = start.label_binarizer
        if is_classifier(self.estimator):
            binarizer = start.label_binarizer
            self.classes_ = start.learner.classes_ if binarizer is None else binarizer.classes_
        return self

    def _fit_as_stream(self, X, y, eval_set):
        """The deprecated ``stream=`` spelling: a StreamSimulation with this simulation's shared parameters."""
        from .stream import StreamSimulation  # stream.py builds on this module (imported here until removal)

        shared = ("estimator", "n_initial", "initial", "batch_size", "scoring", "eval_size", "score_mode",
                  "random_state")  # not budget: the stream's is a share of the examples, in self.stream
        stream = StreamSimulation(**{name: getattr(self, name) for name in shared}, **self.stream)
        stream.fit(X, y, eval_set=eval_set)
        for name in ("learner_", "learning_curve_", "queried_indices_", "eval_indices_", "classes_"):
            if hasattr(stream, name):
                setattr(self, name, getattr(stream, name))
        self.stopped_early_, self.stopping_, self.label_binarizer_ = False, None, None
        return self

    def _n_queries(self):
        """Rounds to run: n_queries, with "auto" resolved (inf: until the budget or the pool runs out)."""
        if isinstance(self.n_queries, str):  # "auto"
            return np.inf if self.budget is not None else 10
        return np.inf if self.n_queries is None else self.n_queries

    def _query(self, learner, X_pool, n):
        """``learner.query``, with the raw-input error spelled for the simulation's own parameter."""
        try:
            return learner.query(X_pool, n_instances=n)
        except ValueError as exc:
            if self.on_transformed or is_numeric(X_pool) or "on_transformed=True" not in str(exc):
                raise
            name = getattr(self.query_strategy, "__name__", repr(self.query_strategy))
            raise ValueError(
                f"{name} needs a numeric representation of the pool, but this simulation's X is raw "
                "(e.g. text): use `ActiveLearningSimulation(on_transformed=True)` with a Pipeline whose first "
                "steps turn it into features (e.g. make_pipeline(TextEmbedder(), LogisticRegression())), or an "
                "estimator with embed() such as skal.TransformerClassifier."
            ) from exc

    def score(self, X, y):
        """``scoring`` of the final model on ``(X, y)``, or the learning curve's area.

        With ``score_mode="auc"`` the area under the learning curve recorded
        during fit is returned (see :func:`learning_curve_area`) and ``X``,
        ``y`` are not used.

        Parameters
        ----------
        X : array-like, sparse matrix, list of str or DataFrame
            Rows to score on.
        y : array-like
            Their labels.

        Returns
        -------
        score : float
            The scorer's value, or the area under the learning curve.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearningSimulation
        >>> X, y = load_iris(return_X_y=True)
        >>> sim = ActiveLearningSimulation(LogisticRegression(), n_queries=2, score_mode="auc",
        ...                                random_state=0).fit(X, y)
        >>> 0 <= sim.score(X, y) <= 1
        True
        """
        check_is_fitted(self, "learner_")
        if self.score_mode == "auc":
            return learning_curve_area(self.learning_curve_)
        y = encode_like(y, getattr(self, "label_binarizer_", None))
        return check_scoring(self.estimator, scoring=self.scoring)(self.learner_, X, y)
