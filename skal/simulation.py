"""ActiveLearningSimulation: pool-based active learning replayed on labelled data, as an estimator.

A user picks a query strategy by replaying active learning on data that is
already labelled, with the labels as the oracle. Because the replay is a
scikit-learn estimator, ``GridSearchCV(sim, {"query_strategy": [...]})``,
``cross_validate`` and every scikit-learn scorer compare strategies with no
new API.
"""

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .data import check_consistent_rows, is_numeric, take_rows
from .learners import ActiveLearner, wrapper_tags
from .strategies.uncertainty import uncertainty_sampling
from .stratify import multilabel_holdout, multilabel_seed_rows
from .targets import encode_like, encode_targets, is_multilabel_target

__all__ = ["ActiveLearningSimulation", "initial_rows", "learning_curve_area"]

_INITIAL = ("stratified", "random", "cold_start")
_MAX_SEED = np.iinfo(np.int32).max


def initial_rows(y, n_initial, method="stratified", random_state=None, X=None, classification=True):
    """Positions of the seed set, the rows labelled before the first query.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels of the rows to draw from; a 0/1 matrix for multi-label rows.
    n_initial : int
        Size of the seed set.
    method : {"stratified", "random", "cold_start"} or callable, default="stratified"
        A callable is a label-free query strategy (e.g.
        :func:`skal.strategies.typiclust_sampling`), called as
        ``method(None, X, n_instances=n_initial, random_state=seed)``.
        ``"stratified"``: one row of every class, the rest uniformly at random
        (needs ``n_initial >= n_classes``; for a multi-label ``y``, every
        label at least once, then iterative stratification:
        :func:`skal.stratify.multilabel_seed_rows`); ``"random"``: uniformly at random;
        ``"cold_start"``: the rows nearest the centroids of ``n_initial``
        k-means clusters of ``X`` (:func:`skal.strategies.kmeans_sampling`),
        chosen without looking at any label, as a user without labels would.
        ``"random"`` and ``"cold_start"`` raise a ValueError when the seed set
        they draw holds one class only.
    random_state : int, RandomState instance or None, default=None
    X : numeric array-like or sparse matrix, default=None
        The representation ``"cold_start"`` clusters.
    classification : bool, default=True
        False for a regression target: ``"stratified"`` then draws uniformly
        and the class checks are skipped.

    Returns
    -------
    rows : ndarray of int, sorted

    Examples
    --------
    >>> import numpy as np
    >>> from skal.simulation import initial_rows
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> np.unique(y[initial_rows(y, 2, "stratified", random_state=0)]).tolist()
    [0, 1]
    """
    rng = check_random_state(random_state)
    y = np.asarray(y)
    multilabel = classification and is_multilabel_target(y)
    classification = classification and not multilabel
    size = y.shape[0]
    if not callable(method) and method not in _INITIAL:
        raise ValueError(f"initial must be one of {', '.join(map(repr, _INITIAL))} or a callable, got {method!r}.")
    if size == 0:
        raise ValueError("y is empty: there is nothing to simulate on.")
    classes = np.unique(y) if classification else None
    if classification and classes.shape[0] < 2:
        raise ValueError(f"y holds one class only ({classes[0]!r}); active learning needs at least two.")
    if isinstance(n_initial, bool) or not isinstance(n_initial, (int, np.integer)) or not 1 <= n_initial <= size:
        raise ValueError(
            f"n_initial must be an integer between 1 and the {size} training rows, "
            f"got {n_initial!r}."
        )
    if method == "stratified" and multilabel:
        return multilabel_seed_rows(y, n_initial, rng)
    if method == "stratified" and classification:
        if n_initial < classes.shape[0]:
            raise ValueError(
                f"A stratified seed set needs n_initial >= the {classes.shape[0]} classes, got {n_initial}."
            )
        # One row per class, vectorised: a random permutation, then each class's first row in it.
        order = rng.permutation(size)
        _, first_in_order = np.unique(y[order], return_index=True)
        first = order[first_in_order]
        rest = np.setdiff1d(np.arange(size), first)
        extra = rng.choice(rest, n_initial - first.shape[0], replace=False)
        return np.sort(np.r_[first, extra])
    if method in ("random", "stratified"):
        rows = rng.choice(size, n_initial, replace=False)
    else:
        if X is None or not is_numeric(X):
            raise ValueError(
                f"initial={getattr(method, '__name__', method)!r} works on numeric features: pass numeric X, "
                "or an estimator that is a Pipeline whose first steps turn X into them."
            )
        from .strategies.diversity import kmeans_sampling

        strategy = kmeans_sampling if method == "cold_start" else method
        rows, _ = strategy(None, X, n_instances=n_initial, random_state=rng.randint(_MAX_SEED))
        method = getattr(method, "__name__", method)
    if classification and np.unique(y[rows]).shape[0] < 2:
        raise ValueError(
            f"The {method!r} seed set of {n_initial} rows holds one class only "
            f"({y[rows][0]!r}); use initial='stratified' or a larger n_initial."
        )
    return np.sort(np.asarray(rows, dtype=np.intp))


def learning_curve_area(curve):
    """Area under a learning curve divided by the label range: a mean score, in score units.

    Trapezoidal over ``n_labelled``; a curve of one point gives that point's score.

    Parameters
    ----------
    curve : DataFrame with columns ``n_labelled`` and ``score``

    Returns
    -------
    area : float

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


def _indexable(X):
    """``X`` with rows selectable by position: sparse formats without indexing become CSR."""
    if sp.issparse(X):
        return X if X.format in ("csr", "csc") else X.tocsr()
    if not hasattr(X, "__getitem__"):
        return np.asarray(X)
    return X


class ActiveLearningSimulation(MetaEstimatorMixin, BaseEstimator):
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
        Stream-based mode: the training rows outside the seed set arrive once,
        in random order, ``batch_size`` at a time, and each is labelled or let
        pass by :func:`skal.stream.simulate_stream`, which takes this dict as
        keyword arguments (e.g. ``{"strategy": "variable", "budget": 0.1}``).
        The estimator must have ``partial_fit``; ``query_strategy``,
        ``n_queries``, ``budget``, ``max_candidates`` and ``stopping`` are
        not used, and ``learning_curve_`` has simulate_stream's columns.
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
    skal.comparison.compare_strategies : every strategy × several seeds, as a table.

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
    def _check_params(self):
        def positive_int(value, name, allow_none=False):
            if value is None and allow_none:
                return
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}, "
                                 f"got {value!r}.")

        if self.estimator is None:
            raise ValueError("ActiveLearningSimulation needs an estimator, got estimator=None.")
        if not callable(self.query_strategy):
            raise ValueError(f"query_strategy must be a callable, got {self.query_strategy!r}.")
        positive_int(self.n_initial, "n_initial")
        positive_int(self.batch_size, "batch_size")
        positive_int(self.max_candidates, "max_candidates", allow_none=True)
        positive_int(self.budget, "budget", allow_none=True)
        if not (self.n_queries is None or (isinstance(self.n_queries, str) and self.n_queries == "auto")) and (
                isinstance(self.n_queries, bool) or not isinstance(self.n_queries, (int, np.integer))
                or self.n_queries < 0):
            raise ValueError(f"n_queries must be a non-negative integer, None or 'auto', got {self.n_queries!r}.")
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
        if not callable(self.initial) and self.initial not in _INITIAL:
            raise ValueError(f"initial must be one of {', '.join(map(repr, _INITIAL))} or a callable, "
                             f"got {self.initial!r}.")
        if self.score_mode not in ("final", "auc"):
            raise ValueError(f"score_mode must be 'final' or 'auc', got {self.score_mode!r}.")
        if not isinstance(self.eval_size, (int, float, np.number)) or not 0.0 <= self.eval_size < 1.0:
            raise ValueError(f"eval_size must be a share in [0, 1), got {self.eval_size!r}.")
        if self.stream is not None and not isinstance(self.stream, dict):
            raise ValueError(f"stream must be a dict of simulate_stream arguments or None, got {self.stream!r}.")
        if self.stopping is not None and not hasattr(self.stopping, "update"):
            raise ValueError(f"stopping must be a skal.stopping criterion or None, got {self.stopping!r}.")

    def _split(self, X, y, eval_set, seed, binarizer=None):
        """(training positions, held-out positions or None, X_eval, y_eval)."""
        positions = np.arange(y.shape[0])
        if eval_set is not None:
            if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
                raise ValueError("eval_set must be a pair (X_eval, y_eval).")
            X_eval, y_eval = eval_set
            check_consistent_rows(X_eval, y_eval)
            return positions, None, X_eval, encode_like(y_eval, binarizer)
        if self.eval_size == 0:
            return positions, None, None, None
        stratify = y if is_classifier(self.estimator) else None
        try:
            if binarizer is not None:  # multi-label: iterative stratification
                train, held_out = multilabel_holdout(y, self.eval_size, seed)
            else:
                train, held_out = train_test_split(positions, test_size=self.eval_size, stratify=stratify,
                                                   random_state=seed)
        except ValueError as exc:
            raise ValueError(f"Could not hold out eval_size={self.eval_size} of the rows for the learning "
                             f"curve ({exc}); pass eval_set=(X_eval, y_eval) or change eval_size.") from exc
        train, held_out = np.sort(train), np.sort(held_out)
        return train, held_out, take_rows(X, held_out), y[held_out]

    def _representation(self, X_train):
        """What ``initial="cold_start"`` clusters: X, or a label-free fit of the pipeline's first steps."""
        if is_numeric(X_train):
            return X_train
        if isinstance(self.estimator, Pipeline) and len(self.estimator) > 1:
            return clone(self.estimator[:-1]).fit_transform(X_train)
        return None

    # -------------------------------------------------------------- fitting
    def fit(self, X, y, eval_set=None):
        """Run the simulation.

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
        """
        self._check_params()
        if y is None:
            raise ValueError(
                "ActiveLearningSimulation requires y to be passed, but the target y is None: y is the oracle."
            )
        X = _indexable(X)
        if eval_set is not None and isinstance(eval_set, (tuple, list)) and len(eval_set) == 2:
            eval_set = (_indexable(eval_set[0]), eval_set[1])
        check_consistent_rows(X, y)
        y, binarizer = encode_targets(y)  # multi-label y: a 0/1 matrix (skal.targets)
        if binarizer is not None and self.stream is not None:
            raise ValueError("stream mode takes a single-label y; multi-label y needs pool-based mode (stream=None).")
        classify = is_classifier(self.estimator)
        if classify:
            check_classification_targets(y)
        if y.shape[0] == 0:
            raise ValueError("X and y are empty: there is nothing to simulate on.")
        if classify and y.dtype.kind in "iuf" and np.any(y == -1):
            raise ValueError(
                "y holds the label -1, which skal's learners read as 'unlabelled' (scikit-learn's "
                "semi-supervised convention); map it to another value before simulating."
            )
        rng = check_random_state(self.random_state)
        # Every source of randomness gets its own seed, drawn up front, so that
        # switching one option (stopping, max_candidates) leaves the others' draws as they were.
        seeds = rng.randint(_MAX_SEED, size=6)
        split_seed, seed_set_seed, learner_seed, stop_seed, candidate_seed, stream_seed = seeds
        positions, held_out, X_eval, y_eval = self._split(X, y, eval_set, split_seed, binarizer)
        X_train, y_train = take_rows(X, positions), y[positions]
        label_free = callable(self.initial) or self.initial == "cold_start"
        representation = self._representation(X_train) if label_free else None
        seed = initial_rows(y_train, self.n_initial, self.initial, seed_set_seed, representation, classify)
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        stopping = None
        if self.stopping is not None:
            stopping = clone(self.stopping)
            if "random_state" in stopping.get_params() and stopping.get_params()["random_state"] is None:
                stopping.set_params(random_state=int(stop_seed))
        candidate_rng = np.random.RandomState(candidate_seed)

        learner = ActiveLearner(clone(self.estimator), self.query_strategy, on_transformed=self.on_transformed,
                                random_state=np.random.RandomState(learner_seed))
        start = time.perf_counter()
        learner.fit(take_rows(X_train, seed), y_train[seed])
        fit_time = time.perf_counter() - start
        labelled = np.zeros(y_train.shape[0], dtype=bool)
        labelled[seed] = True
        order = [seed]  # positions in X_train, in the order they were labelled
        rounds = [self._record(0, seed.shape[0], learner, scorer, X_eval, y_eval, fit_time, 0.0)]
        if self.stream is not None:
            return self._fit_stream(learner, seed, labelled, positions, held_out, X_train, y_train, X_eval, y_eval,
                                    rounds[0], stream_seed)
        budget = np.inf if self.budget is None else self.budget
        n_queries = self._n_queries()
        stopped = False
        progress = tqdm(total=None if np.isinf(n_queries) else n_queries, disable=not self.verbose,
                        desc=getattr(self.query_strategy, "__name__", "rounds"), unit="round", leave=False)
        round_ = 0
        while True:
            pool = np.flatnonzero(~labelled)
            if self.max_candidates is not None and pool.shape[0] > self.max_candidates:
                pool = np.sort(candidate_rng.choice(pool, self.max_candidates, replace=False))
            if stopping is not None:
                stop = stopping.update(learner, take_rows(X_train, pool) if pool.size else None,
                                       int(labelled.sum()))
                rounds[-1]["stop_value"] = stopping.history_[-1]
                if stop:
                    stopped = True
                    break
            n = int(min(self.batch_size, budget - labelled.sum(), pool.shape[0]))
            if round_ >= n_queries or n < 1:
                break
            round_ += 1
            X_pool = take_rows(X_train, pool)
            start = time.perf_counter()
            picked, _ = self._query(learner, X_pool, n)
            query_time = time.perf_counter() - start
            chosen = pool[picked]
            X_new, y_new = take_rows(X_train, chosen), y_train[chosen]
            labelled[chosen] = True
            order.append(chosen)
            start = time.perf_counter()
            if classify and np.setdiff1d(np.unique(y_new), learner.classes_).size:
                # A class the seed set lacked: refit on every label so far (teach refuses new classes).
                rows = np.concatenate(order)
                learner.fit(take_rows(X_train, rows), y_train[rows])
            else:
                learner.teach(X_new, y_new)
            fit_time = time.perf_counter() - start
            rounds.append(self._record(round_, int(labelled.sum()), learner, scorer, X_eval, y_eval,
                                       fit_time, query_time))
            progress.update(1)
        progress.close()

        self.learner_ = learner
        self.learning_curve_ = pd.DataFrame(rounds)
        self.queried_indices_ = [positions[rows] for rows in order]
        self.eval_indices_ = held_out
        self.stopped_early_ = stopped
        self.stopping_ = stopping
        self.label_binarizer_ = binarizer
        if classify:
            self.classes_ = learner.classes_ if binarizer is None else binarizer.classes_
        return self

    def _fit_stream(self, learner, seed, labelled, positions, held_out, X_train, y_train, X_eval, y_eval, start,
                    stream_seed):
        from .stream import simulate_stream

        rng = np.random.RandomState(stream_seed)
        order = rng.permutation(np.flatnonzero(~labelled))
        curve = simulate_stream(learner, take_rows(X_train, order), y_train[order], batch_size=self.batch_size,
                                X_eval=X_eval, y_eval=y_eval, scoring=self.scoring,
                                random_state=rng.randint(_MAX_SEED), **self.stream)
        curve = curve.assign(round=np.arange(len(curve)))
        curve.loc[0, "score"] = start["score"]
        self.learner_ = learner
        self.learning_curve_ = curve
        self.queried_indices_ = [positions[seed], positions[order[np.asarray(curve.attrs["queried_indices"],
                                                                               dtype=np.intp)]]]
        self.eval_indices_ = held_out
        self.stopped_early_ = False
        self.stopping_ = None
        if is_classifier(self.estimator):
            self.classes_ = learner.classes_
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

    @staticmethod
    def _record(round_, n_labelled, learner, scorer, X_eval, y_eval, fit_time, query_time):
        score = float(scorer(learner, X_eval, y_eval)) if X_eval is not None else np.nan
        return {"round": round_, "n_labelled": n_labelled, "score": score,
                "fit_time": fit_time, "query_time": query_time}

    @property
    def n_features_in_(self):
        """Number of features the final model saw, when it records it."""
        check_is_fitted(self, "learner_")
        return self.learner_.n_features_in_

    # ----------------------------------------------------------- prediction
    def predict(self, X):
        """Predictions of the final model."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the final model."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)

    def score(self, X, y):
        """``scoring`` of the final model on ``(X, y)``, or the learning curve's area.

        With ``score_mode="auc"`` the area under the learning curve recorded
        during fit is returned (see :func:`learning_curve_area`) and ``X``,
        ``y`` are not used.
        """
        check_is_fitted(self, "learner_")
        if self.score_mode == "auc":
            return learning_curve_area(self.learning_curve_)
        y = encode_like(y, getattr(self, "label_binarizer_", None))
        return check_scoring(self.estimator, scoring=self.scoring)(self.learner_, X, y)
