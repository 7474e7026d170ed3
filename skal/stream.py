"""Stream-based active learning replayed on labelled data: :func:`simulate_stream` and :class:`StreamSimulation`.

The decision rule, :class:`~skal.stream_learner.StreamLearner` (Zliobaite et
al., 2014: a fixed, variable or randomized threshold on an informativeness
score, within a labelling budget), lives in :mod:`skal.stream_learner` and
is importable from here too. This module replays labelled data through it,
with the labels as the oracle: :func:`simulate_stream` streams given rows
into a fitted learner; :class:`StreamSimulation` is the estimator that holds
out evaluation rows and draws the seed set as
:class:`skal.ActiveLearningSimulation` does, then streams the rest.
"""


import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils.validation import check_is_fitted

from .data import check_consistent_rows, check_labels, take_rows
from .fitted_learner import FittedLearnerMixin
from .learners import wrapper_tags
from .parameters import HasMethods, Int, RealNumber, StrOptions, check_int
from .seeding import draw_seed
from .simulation import learning_curve_area
from .simulation_start import INITIAL_METHODS, start_simulation
from .strategies.representation import committee_members
from .strategies.uncertainty import classifier_uncertainty
from .stream_learner import RULE_CONSTRAINTS, StreamLearner, check_incremental, check_probabilities

__all__ = ["StreamLearner", "StreamSimulation", "simulate_stream"]


def _check_fitted(learner, y):
    """The stream starts from a fitted learner; say why it is not, naming a one-class stream."""
    fitted = learner.ensure_fitted(required=False) if hasattr(learner, "ensure_fitted") else True
    if fitted:
        return
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"The stream holds one class only ({classes[:1].tolist()[0]!r}) and the learner is not fitted, so it can "
            "never become a classifier: fit it on a seed set of at least two classes first, "
            "learner.fit(X_seed, y_seed)."
        )
    raise ValueError(
        "simulate_stream needs a learner fitted on a seed set (it scores the first example before any "
        "label is known): call learner.fit(X_seed, y_seed) or pass X_training and y_training."
    )


def _check_eval_labels(learner, y, y_eval):
    """Refuse evaluation labels that share nothing with the stream's and the learner's labels."""
    try:
        known = np.union1d(np.unique(y), np.asarray(learner.classes_))
        shared = np.intersect1d(np.unique(y_eval), known)
    except (AttributeError, NotFittedError):
        return  # a regressor: no classes
    except TypeError:  # labels of different types cannot even be compared: none is shared
        known, shared = np.unique(y), np.empty(0)
    if shared.shape[0] == 0:
        raise ValueError(
            f"y_eval holds the labels {np.unique(y_eval)[:10].tolist()}, none of which occurs in the stream's "
            f"y or among the learner's classes {known[:10].tolist()}: every evaluation row would count as "
            "an error. Pass the held-out rows of the same task, with labels of the same type."
        )


def simulate_stream(learner, X, y, strategy="variable", threshold=0.3, budget=0.1, step=0.01, noise=1.0,
                    score_fn=classifier_uncertainty, batch_size=1, X_eval=None, y_eval=None, scoring=None,
                    n_evaluations=20, random_state=None):
    """Replay labelled data as a stream, with ``y`` as the oracle; return the learning curve.

    Parameters
    ----------
    learner : ActiveLearner or Committee
        Fitted on a seed set, with an incremental estimator; taught in place.
    X : array-like, sparse matrix or list of str
        The stream, in arrival order.
    y : array-like of shape (n_samples,)
        Its labels: the oracle.
    strategy : {"fixed", "variable", "randomized"}, default="variable"
        As for :class:`StreamLearner`.
    threshold : float in [0, 1], default=0.3
        As for :class:`StreamLearner`.
    budget : float in (0, 1], default=0.1
        As for :class:`StreamLearner`.
    step : float in (0, 1), default=0.01
        As for :class:`StreamLearner`.
    noise : float > 0, default=1.0
        As for :class:`StreamLearner`.
    score_fn : callable, default=classifier_uncertainty
        As for :class:`StreamLearner`.
    batch_size : int, default=1
        Examples arriving together; the model is taught after each batch.
    X_eval : array-like or None, default=None
        Held-out rows for the learning curve; None records no score
        (``score`` is NaN).
    y_eval : array-like or None, default=None
        Their labels.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; None is the learner's ``score``.
    n_evaluations : int, default=20
        Points of the learning curve besides the start (evenly spaced over
        the stream; the last batch is always one).
    random_state : int, RandomState instance or None, default=None
        Seeds the random factors of ``"randomized"``.

    Returns
    -------
    curve : pandas.DataFrame
        One row per evaluation: ``n_seen``, ``n_queried`` (labels asked in
        the stream), ``n_labelled`` (the learner's training rows),
        ``label_rate``, ``threshold`` and ``score``. ``curve.attrs
        ["queried_indices"]`` holds the positions in ``X`` of every queried
        example, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal import ActiveLearner
    >>> from skal.stream import simulate_stream
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(600, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:10], y[:10])
    >>> curve = simulate_stream(learner, X[10:500], y[10:500], budget=0.2, batch_size=10,
    ...                         X_eval=X[500:], y_eval=y[500:], n_evaluations=4)
    >>> list(curve.columns)
    ['n_seen', 'n_queried', 'n_labelled', 'label_rate', 'threshold', 'score']
    """
    size = check_consistent_rows(X, y)
    y = check_labels(y)
    if size == 0:
        raise ValueError("The stream is empty: X and y hold no rows, so there is nothing to replay.")
    check_int(batch_size, "batch_size")
    check_int(n_evaluations, "n_evaluations", minimum=0)
    if (X_eval is None) != (y_eval is None):
        raise ValueError("Pass both X_eval and y_eval, or neither.")
    if X_eval is not None:
        check_consistent_rows(X_eval, y_eval)
        y_eval = check_labels(y_eval, "y_eval")
    stream = StreamLearner(learner, strategy, threshold, budget, step, noise, score_fn, random_state)
    stream.start()  # validates the parameters and the learner before anything is taught
    _check_fitted(learner, y)
    if X_eval is not None:
        _check_eval_labels(learner, y, y_eval)
    scorer = check_scoring(learner, scoring=scoring) if X_eval is not None else None
    starts = np.arange(0, size, batch_size)
    checkpoints = set(np.linspace(0, starts.shape[0] - 1, max(1, n_evaluations)).round().astype(int).tolist())
    checkpoints.add(starts.shape[0] - 1)

    def record():
        training = getattr(committee_members(learner)[0], "y_training_", None)
        return {"n_seen": stream.n_seen_, "n_queried": stream.n_queried_,
                "n_labelled": 0 if training is None else int(training.shape[0]),
                "label_rate": stream.label_rate_, "threshold": stream.threshold_,
                "score": float(scorer(learner, X_eval, y_eval)) if scorer else np.nan}

    rows, queried = [record()], []
    for b, start in enumerate(starts.tolist()):
        positions = np.arange(start, min(start + batch_size, size))
        batch = take_rows(X, positions)
        picked, picked_rows = stream.query(batch)
        if picked.shape[0]:
            stream.teach(picked_rows, y[positions[picked]])
            queried.append(positions[picked])
        if b in checkpoints:
            rows.append(record())
    curve = pd.DataFrame(rows)
    curve.attrs["queried_indices"] = np.concatenate(queried) if queried else np.empty(0, dtype=np.intp)
    return curve


class StreamSimulation(FittedLearnerMixin, MetaEstimatorMixin, BaseEstimator):
    """Replay stream-based active learning on labelled data, with ``y`` as the oracle.

    ``fit(X, y)`` holds out evaluation rows and draws a seed set exactly as
    :class:`skal.ActiveLearningSimulation` does for the same
    ``random_state`` (:func:`skal.simulation_start.start_simulation`), fits a
    clone of ``estimator`` on the seed set, then lets the other training rows
    arrive once, in random order, ``batch_size`` at a time: each is labelled
    or let pass by a :class:`StreamLearner` (:func:`simulate_stream`), and
    the model is taught the labelled ones with ``partial_fit``.

    Parameters
    ----------
    estimator : estimator object
        An incremental model (with ``partial_fit``), cloned at every fit.
    strategy : {"fixed", "variable", "randomized"}, default="variable"
        The threshold rule (see :class:`StreamLearner`).
    threshold : float in [0, 1], default=0.3
        The (starting) threshold on the score.
    budget : float in (0, 1], default=0.1
        Largest share of the streamed examples that may be labelled.
    step : float in (0, 1), default=0.01
        Threshold adjustment step of the variable strategies.
    noise : float > 0, default=1.0
        Standard deviation of the random factor of ``"randomized"``.
    score_fn : callable, default=classifier_uncertainty
        ``score_fn(learner, X) -> ndarray (n,)`` in [0, 1], higher meaning
        more informative.
    n_initial : int, default=10
        Size of the seed set, labelled before the stream starts.
    initial : {"stratified", "random", "cold_start"} or callable, default="stratified"
        How the seed set is drawn (see :func:`skal.simulation.initial_rows`).
    batch_size : int, default=10
        Examples arriving together; the model is taught after each batch.
    n_evaluations : int, default=20
        Points of the learning curve besides the start.
    scoring : str, callable or None, default=None
        Any scikit-learn scorer; None is the estimator's own ``score``.
    eval_size : float, default=0.25
        When no ``eval_set`` is passed to :meth:`fit`, the share of the rows
        held out (stratified) to score the learning curve on; 0 draws none.
    score_mode : {"final", "auc"}, default="final"
        What :meth:`score` returns: the scorer on the final model, or the
        area under the learning curve.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split, the seed set, the stream's order and the
        random factors.

    Attributes
    ----------
    learner_ : ActiveLearner
        The learner after the stream; it predicts.
    learning_curve_ : pandas.DataFrame
        :func:`simulate_stream`'s columns (``n_seen``, ``n_queried``,
        ``n_labelled``, ``label_rate``, ``threshold``, ``score``) and
        ``round``.
    queried_indices_ : list of ndarray
        Positions, in the ``X`` given to fit, of the seed set, then of the
        rows labelled in the stream, in arrival order.
    eval_indices_ : ndarray or None
        Positions in ``X`` of the held-out rows (None with ``eval_set`` or
        ``eval_size=0``).
    classes_ : ndarray
        Class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal.stream import StreamSimulation
    >>> X, y = load_digits(return_X_y=True)
    >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), budget=0.2, n_initial=20,
    ...                        n_evaluations=4, random_state=0).fit(X[:600] / 16, y[:600])
    >>> curve = sim.learning_curve_
    >>> int(curve["n_seen"].iloc[-1]), bool(curve["label_rate"].iloc[-1] <= 0.2 + 1 / 430)
    (430, True)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],  # partial_fit: checked with a hint at what to use instead
        **RULE_CONSTRAINTS,
        "n_initial": [Int(1)],
        "initial": [StrOptions(set(INITIAL_METHODS)), callable],
        "batch_size": [Int(1)],
        "n_evaluations": [Int(0)],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "eval_size": [RealNumber(0, 1, closed="left")],
        "score_mode": [StrOptions({"final", "auc"})],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, strategy="variable", threshold=0.3, budget=0.1, step=0.01, noise=1.0,
                 score_fn=classifier_uncertainty, n_initial=10, initial="stratified", batch_size=10,
                 n_evaluations=20, scoring=None, eval_size=0.25, score_mode="final", random_state=None):
        self.estimator = estimator
        self.strategy = strategy
        self.threshold = threshold
        self.budget = budget
        self.step = step
        self.noise = noise
        self.score_fn = score_fn
        self.n_initial = n_initial
        self.initial = initial
        self.batch_size = batch_size
        self.n_evaluations = n_evaluations
        self.scoring = scoring
        self.eval_size = eval_size
        self.score_mode = score_mode
        self.random_state = random_state

    def __sklearn_tags__(self):
        return wrapper_tags(super().__sklearn_tags__(), self.estimator)

    def fit(self, X, y, eval_set=None):
        """Run the stream simulation: seed set, then every other training row once, in random order.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            The labelled rows; those not held out form the seed set and the stream.
        y : array-like of shape (n_samples,)
            Their labels: the oracle (single-label).
        eval_set : (X_eval, y_eval) or None, default=None
            Data to score the learning curve on; None holds out ``eval_size``
            of the rows instead.

        Returns
        -------
        self : StreamSimulation
            The fitted simulation: ``learning_curve_``, ``queried_indices_``
            and the final ``learner_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import SGDClassifier
        >>> from skal.stream import StreamSimulation
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] > 0).astype(int)
        >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), budget=0.3, eval_size=0,
        ...                        random_state=0).fit(X, y)
        >>> [len(rows) for rows in sim.queried_indices_][0], int(sim.learning_curve_["n_seen"].iloc[-1])
        (10, 390)
        """
        self._validate_params()
        start = start_simulation(self, X, y, eval_set, multi_label=False)
        check_incremental(start.learner)  # before the stream: no row is taught
        check_probabilities(start.learner, self.score_fn)
        rng = np.random.RandomState(start.seeds["stream"])
        order = rng.permutation(np.setdiff1d(np.arange(start.y_train.shape[0]), start.seed_rows))
        curve = simulate_stream(start.learner, take_rows(start.X_train, order), start.y_train[order],
                                strategy=self.strategy, threshold=self.threshold, budget=self.budget,
                                step=self.step, noise=self.noise, score_fn=self.score_fn,
                                batch_size=self.batch_size, X_eval=start.X_eval, y_eval=start.y_eval,
                                scoring=self.scoring, n_evaluations=self.n_evaluations,
                                random_state=draw_seed(rng))
        streamed = order[np.asarray(curve.attrs["queried_indices"], dtype=np.intp)]
        self.learner_ = start.learner
        self.learning_curve_ = curve.assign(round=np.arange(len(curve)))
        self.queried_indices_ = [start.positions[start.seed_rows], start.positions[streamed]]
        self.eval_indices_ = start.eval_indices
        if is_classifier(self.estimator):
            self.classes_ = start.learner.classes_
        return self

    def score(self, X, y):
        """``scoring`` of the final model on ``(X, y)``, or the area under the learning curve.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to score on (not used with ``score_mode="auc"``).
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        score : float
            The scorer's value, or the mean score over the labels used
            (:func:`skal.simulation.learning_curve_area` over ``n_labelled``).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import SGDClassifier
        >>> from skal.stream import StreamSimulation
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
        >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), random_state=0).fit(X, y)
        >>> bool(sim.score(X, y) > 0.8)
        True
        """
        check_is_fitted(self, "learner_")
        if self.score_mode == "auc":
            return learning_curve_area(self.learning_curve_)
        return check_scoring(self.estimator, scoring=self.scoring)(self.learner_, X, y)
