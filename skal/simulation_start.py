"""The start of every replay of labelled data: the seed set, the held-out rows and the first fit.

:class:`skal.ActiveLearningSimulation` (pool-based) and
:class:`skal.stream.StreamSimulation` (stream-based) both begin with
:func:`start_simulation`: check the oracle ``y``, hold out the rows the
learning curve is scored on, draw the seed set (:func:`initial_rows`) and fit
a learner on it, drawing every seed up front from one ``random_state``. One
``random_state`` therefore gives both simulations the same held-out rows and
the same seed set.
"""

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets

from .data import check_consistent_rows, is_numeric, take_rows
from .learners import ActiveLearner
from .parameters import check_int, check_option
from .seeding import draw_seed
from .strategies.uncertainty import uncertainty_sampling
from .stratify import multilabel_holdout, multilabel_seed_rows
from .targets import encode_like, encode_targets, is_multilabel_target

__all__ = ["INITIAL_METHODS", "SimulationStart", "initial_rows", "start_simulation"]

#: The named ways to draw a seed set (a label-free strategy, a callable, is the other way).
INITIAL_METHODS = ("stratified", "random", "cold_start")


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
        Seeds the draw.
    X : numeric array-like or sparse matrix, default=None
        The representation ``"cold_start"`` clusters.
    classification : bool, default=True
        False for a regression target: ``"stratified"`` then draws uniformly
        and the class checks are skipped.

    Returns
    -------
    rows : ndarray of int
        Positions in ``y`` of the seed set, sorted.

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
    if not callable(method):
        check_option(method, "method", INITIAL_METHODS)
    check_int(n_initial, "n_initial")
    if size == 0:
        raise ValueError("y is empty: there is nothing to simulate on.")
    classes = np.unique(y) if classification else None
    if classification and classes.shape[0] < 2:
        raise ValueError(f"y holds one class only ({classes[0]!r}); active learning needs at least two.")
    if n_initial > size:
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
        rows, _ = strategy(None, X, n_instances=n_initial, random_state=draw_seed(rng))
        method = getattr(method, "__name__", method)
    if classification and np.unique(y[rows]).shape[0] < 2:
        raise ValueError(
            f"The {method!r} seed set of {n_initial} rows holds one class only "
            f"({y[rows][0]!r}); use initial='stratified' or a larger n_initial."
        )
    return np.sort(np.asarray(rows, dtype=np.intp))


def _indexable(X):
    """``X`` with rows selectable by position: sparse formats without indexing become CSR."""
    if sp.issparse(X):
        return X if X.format in ("csr", "csc") else X.tocsr()
    if not hasattr(X, "__getitem__"):
        return np.asarray(X)
    return X


def _split(estimator, eval_size, X, y, eval_set, seed, binarizer=None):
    """(training positions, held-out positions or None, X_eval, y_eval)."""
    positions = np.arange(y.shape[0])
    if eval_set is not None:
        if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
            raise ValueError("eval_set must be a pair (X_eval, y_eval).")
        X_eval, y_eval = eval_set
        check_consistent_rows(X_eval, y_eval)
        return positions, None, X_eval, encode_like(y_eval, binarizer)
    if eval_size == 0:
        return positions, None, None, None
    stratify = y if is_classifier(estimator) else None
    try:
        if binarizer is not None:  # multi-label: iterative stratification
            train, held_out = multilabel_holdout(y, eval_size, seed)
        else:
            train, held_out = train_test_split(positions, test_size=eval_size, stratify=stratify, random_state=seed)
    except ValueError as exc:
        raise ValueError(f"Could not hold out eval_size={eval_size} of the rows for the learning "
                         f"curve ({exc}); pass eval_set=(X_eval, y_eval) or change eval_size.") from exc
    train, held_out = np.sort(train), np.sort(held_out)
    return train, held_out, take_rows(X, held_out), y[held_out]


def _representation(estimator, X_train):
    """What a label-free ``initial`` clusters: X, or a label-free fit of the pipeline's first steps."""
    if is_numeric(X_train):
        return X_train
    if isinstance(estimator, Pipeline) and len(estimator) > 1:
        return clone(estimator[:-1]).fit_transform(X_train)
    return None


def _check_oracle(simulation, y, binarizer, classify, multi_label):
    """Refuse labels no replay can use, before anything is drawn or fitted."""
    if binarizer is not None and not multi_label:
        raise ValueError(f"{type(simulation).__name__}: stream mode takes a single-label y; multi-label y "
                         "needs pool-based mode: ActiveLearningSimulation.")
    if classify:
        check_classification_targets(y)
    if y.shape[0] == 0:
        raise ValueError("X and y are empty: there is nothing to simulate on.")
    if classify and y.dtype.kind in "iuf" and np.any(y == -1):
        raise ValueError(
            "y holds the label -1, which skal's learners read as 'unlabelled' (scikit-learn's "
            "semi-supervised convention); map it to another value before simulating."
        )


@dataclass
class SimulationStart:
    """Where every replay of labelled data starts: the split, the seed set and the model fitted on it.

    Built by :func:`start_simulation` for :class:`skal.ActiveLearningSimulation`
    and :class:`skal.stream.StreamSimulation`, so that both draw the same
    held-out rows, the same seed set and the same seeds for one
    ``random_state``.

    Parameters
    ----------
    X_train : array-like
        The rows not held out: the seed set and the pool (or the stream).
    y_train : ndarray
        Their labels (a 0/1 matrix for multi-label ``y``).
    positions : ndarray of int
        Positions of ``X_train``'s rows in the ``X`` given to fit.
    eval_indices : ndarray of int or None
        Positions in ``X`` of the held-out rows (None with ``eval_set`` or
        ``eval_size=0``).
    X_eval : array-like or None
        The rows the learning curve is scored on.
    y_eval : ndarray or None
        Their labels.
    label_binarizer : MultiLabelBinarizer or None
        The encoder of a multi-label ``y``; None for single-label ``y``.
    seed_rows : ndarray of int
        Positions in ``X_train`` of the seed set.
    learner : ActiveLearner
        The learner, fitted on the seed set.
    fit_time : float
        Seconds the fit on the seed set took.
    scorer : callable
        ``scorer(learner, X, y)``: the simulation's ``scoring``.
    seeds : dict of str -> int
        The seeds drawn up front for what comes next: ``"stopping"``,
        ``"candidates"`` (pool subsampling) and ``"stream"`` (the stream's
        order and decisions).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearningSimulation
    >>> from skal.simulation_start import start_simulation
    >>> X, y = load_iris(return_X_y=True)
    >>> start = start_simulation(ActiveLearningSimulation(LogisticRegression(), random_state=0), X, y)
    >>> len(start.seed_rows), len(start.eval_indices), sorted(start.seeds)
    (10, 38, ['candidates', 'stopping', 'stream'])
    """

    X_train: object
    y_train: np.ndarray
    positions: np.ndarray
    eval_indices: object
    X_eval: object
    y_eval: object
    label_binarizer: object
    seed_rows: np.ndarray
    learner: ActiveLearner
    fit_time: float
    scorer: object
    seeds: dict


def start_simulation(simulation, X, y, eval_set=None, multi_label=True):
    """Check the oracle, hold out the evaluation rows, draw the seed set and fit a learner on it.

    The first step of every replay, shared by :class:`skal.ActiveLearningSimulation`
    and :class:`skal.stream.StreamSimulation`. It reads the simulation's
    parameters ``estimator``, ``n_initial``, ``initial``, ``eval_size``,
    ``scoring`` and ``random_state`` (and ``query_strategy`` and
    ``on_transformed`` when it has them); every source of randomness gets its
    own seed, drawn up front from ``random_state`` in a fixed order, so that
    switching one option (stopping, pool subsampling) leaves the others'
    draws as they were.

    Parameters
    ----------
    simulation : ActiveLearningSimulation or StreamSimulation
        The simulation whose parameters say what to do (already validated).
    X : array-like, sparse matrix, list of str or DataFrame
        The labelled rows.
    y : array-like of shape (n_samples,) or (n_samples, n_labels), or label sets
        Their labels: the oracle.
    eval_set : (X_eval, y_eval) or None, default=None
        Data to score the learning curve on; None holds out ``eval_size`` of
        the rows instead.
    multi_label : bool, default=True
        Whether a multi-label ``y`` is accepted.

    Returns
    -------
    start : SimulationStart
        The split, the seed set, the fitted learner and the seeds left.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearningSimulation
    >>> from skal.simulation_start import start_simulation
    >>> X, y = load_iris(return_X_y=True)
    >>> start = start_simulation(ActiveLearningSimulation(LogisticRegression(), n_initial=6, eval_size=0), X, y)
    >>> start.learner.y_training_.shape, start.X_eval is None
    ((6,), True)
    """
    params = simulation.get_params(deep=False)
    estimator = params["estimator"]
    if y is None:
        raise ValueError(
            f"{type(simulation).__name__} requires y to be passed, but the target y is None: y is the oracle."
        )
    X = _indexable(X)
    if eval_set is not None and isinstance(eval_set, (tuple, list)) and len(eval_set) == 2:
        eval_set = (_indexable(eval_set[0]), eval_set[1])
    check_consistent_rows(X, y)
    y, binarizer = encode_targets(y)  # multi-label y: a 0/1 matrix (skal.targets)
    classify = is_classifier(estimator)
    _check_oracle(simulation, y, binarizer, classify, multi_label)
    rng = check_random_state(params["random_state"])
    split_seed, seed_set_seed, learner_seed, stop_seed, candidate_seed, stream_seed = (
        draw_seed(rng) for _ in range(6))
    positions, held_out, X_eval, y_eval = _split(estimator, params["eval_size"], X, y, eval_set, split_seed,
                                                 binarizer)
    X_train, y_train = take_rows(X, positions), y[positions]
    initial = params["initial"]
    label_free = callable(initial) or initial == "cold_start"
    representation = _representation(estimator, X_train) if label_free else None
    seed = initial_rows(y_train, params["n_initial"], initial, seed_set_seed, representation, classify)
    scorer = check_scoring(estimator, scoring=params["scoring"])
    learner = ActiveLearner(clone(estimator), params.get("query_strategy", uncertainty_sampling),
                            on_transformed=params.get("on_transformed", False),
                            random_state=np.random.RandomState(learner_seed))
    began = time.perf_counter()
    learner.fit(take_rows(X_train, seed), y_train[seed])
    return SimulationStart(X_train, y_train, positions, held_out, X_eval, y_eval, binarizer, seed, learner,
                           time.perf_counter() - began, scorer,
                           {"stopping": stop_seed, "candidates": candidate_seed, "stream": stream_seed})
