"""Stream-based active learning: ask for a label as each example arrives, or let it pass.

Pool-based learners rank a pool they hold; a stream learner sees each
arriving example (or mini-batch) once and decides on the spot, by a threshold
on an informativeness score, whether to pay for its label. The strategies are
those of Zliobaite et al. (2014), "Active learning with drifting streaming
data", IEEE TNNLS 25(1):

* ``"fixed"``: ask when the score exceeds a fixed ``threshold``;
* ``"variable"``: a threshold that moves after every example so that the
  share of labelled examples tracks the ``budget``: it rises by a step after
  a query (ask less) and falls after an example let pass (ask more);
* ``"randomized"``: the variable threshold multiplied by a random factor
  ``eta ~ N(1, noise)`` at each decision, so that confident examples are
  sometimes labelled too (useful under concept drift).

Zliobaite et al. state the rule on the maximum posterior ``P(y_hat | x)``:
ask when it is below ``theta``, then ``theta <- theta * (1 - s)``, else
``theta <- theta * (1 + s)``, as long as the labels spent ``u`` over examples
seen ``t`` stay below the budget ``B``. skal scores rows with higher meaning
more informative, and the default score is the least confidence
``1 - max_k P(k | x)``, so skal's threshold is ``1 - theta``: ask when the
score exceeds it. With that default the decisions are exactly the paper's.
Any score in [0, 1] may be used the same way.

The model is taught with ``ActiveLearner.teach(X, y, only_new=True)``, which
calls the estimator's ``partial_fit``; stream mode therefore needs an
incremental estimator (``SGDClassifier``, ``Perceptron``,
``PassiveAggressiveClassifier``, ``MultinomialNB``, ``MLPClassifier``,
:class:`skal.TransformerClassifier`...).
"""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .data import check_consistent_rows, check_labels, n_rows, take_rows
from .learners import ActiveLearner, Committee, wrapper_tags
from .parameters import HasMethods, Int, Interval, StrOptions, check_int
from .seeding import draw_seed
from .simulation import learning_curve_area
from .simulation_start import INITIAL_METHODS, start_simulation
from .strategies.representation import committee_members
from .strategies.uncertainty import classifier_entropy, classifier_margin, classifier_uncertainty

__all__ = ["StreamLearner", "StreamSimulation", "simulate_stream"]

_STRATEGIES = ("fixed", "variable", "randomized")
#: skal's score functions that read ``predict_proba``.
_PROBA_SCORES = (classifier_uncertainty, classifier_margin, classifier_entropy)
#: The parameters of the threshold rule, shared by StreamLearner and StreamSimulation.
_RULE_CONSTRAINTS = {
    "strategy": [StrOptions(set(_STRATEGIES))],
    "threshold": [Interval(Real, 0, 1, closed="both")],
    "budget": [Interval(Real, 0, 1, closed="right")],
    "step": [Interval(Real, 0, 1, closed="neither")],
    "noise": [Interval(Real, 0, None, closed="neither")],
    "score_fn": [callable],
}

def _check_incremental(learner):
    """Raise a ValueError unless every model under ``learner`` has ``partial_fit``."""
    if not isinstance(learner, (ActiveLearner, Committee)):
        raise ValueError(
            f"StreamLearner needs an ActiveLearner or a Committee as learner, got {type(learner).__name__}; "
            "wrap the estimator as ActiveLearner(estimator)."
        )
    for member in committee_members(learner):
        model = getattr(member, "estimator_", member.estimator)
        if not hasattr(model, "partial_fit"):
            hint = (" A Pipeline has no partial_fit: transform the stream first (e.g. with "
                    "TextEmbedder or HashingVectorizer) and stream the features to the last step."
                    if type(model).__name__ == "Pipeline" else "")
            raise ValueError(
                f"Stream mode teaches each labelled example with partial_fit, which "
                f"{type(model).__name__} does not have. Use an incremental estimator (SGDClassifier, "
                "Perceptron, MultinomialNB, MLPClassifier, skal.TransformerClassifier...)." + hint
            )


def _check_probabilities(learner, score_fn):
    """Raise a ValueError when ``score_fn`` reads probabilities that a model under ``learner`` lacks."""
    if score_fn not in _PROBA_SCORES:
        return
    for member in committee_members(learner):
        model = getattr(member, "estimator_", member.estimator)
        if not hasattr(model, "predict_proba"):
            hint = (" SGDClassifier has it with loss='log_loss' or loss='modified_huber'."
                    if type(model).__name__ == "SGDClassifier" else "")
            raise ValueError(
                f"The score function {score_fn.__name__} reads predict_proba, which {type(model).__name__}"
                f"{_loss(model)} does not have.{hint} Use a probabilistic incremental model, or pass a "
                "score_fn(learner, X) that returns scores in [0, 1] from what the model has."
            )


def _loss(model):
    loss = model.get_params().get("loss") if hasattr(model, "get_params") else None
    return f"(loss={loss!r})" if isinstance(loss, str) else ""


class StreamLearner(BaseEstimator):
    """Decide, for each arriving example, whether to ask for its label (Zliobaite et al., 2014).

    Parameters
    ----------
    learner : ActiveLearner or Committee
        A learner fitted on a seed set (or holding ``X_training``/``y_training``)
        whose estimator has ``partial_fit``. It is used, and taught, in
        place: the stream learner does not copy it.
    strategy : {"fixed", "variable", "randomized"}, default="variable"
        See the module docstring.
    threshold : float in [0, 1], default=0.3
        For ``"fixed"``, ask when the score is above it. For the variable
        strategies, its starting value (Zliobaite et al. start at 0: ask
        while the budget allows, then settle).
    budget : float in (0, 1], default=0.1
        Largest share of the examples seen that may be labelled; an example
        that arrives while ``n_queried_ / n_seen_`` is at the budget is let
        pass without looking at it. 1 means no limit.
    step : float in (0, 1), default=0.01
        Threshold adjustment step ``s`` of the variable strategies.
    noise : float > 0, default=1.0
        Standard deviation ``delta`` of the random factor of ``"randomized"``.
    score_fn : callable, default=classifier_uncertainty
        ``score_fn(learner, X) -> ndarray (n,)`` with values in [0, 1],
        higher meaning more informative.
    random_state : int, RandomState instance or None, default=None
        Seeds the random factors of ``"randomized"``.

    Attributes
    ----------
    learner_ : ActiveLearner or Committee
        The learner in use: a fitted clone after :meth:`fit`, else the
        ``learner`` given.
    threshold_ : float
        The current threshold on the score (it may fall below 0 under the
        variable strategies, which means "ask for everything while the
        budget allows").
    n_seen_ : int
        Examples seen so far.
    n_queried_ : int
        Examples whose label was asked for.

    Notes
    -----
    The threshold is a recurrence over the examples in arrival order, so
    within a mini-batch the decisions are taken one after another on the
    scores of a single vectorised ``score_fn`` call; the model is taught
    between mini-batches. A mini-batch of one is the paper's setting.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal import ActiveLearner
    >>> from skal.stream import StreamLearner
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(500, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:20], y[:20])
    >>> stream = StreamLearner(learner, strategy="variable", budget=0.1)
    >>> for i in range(20, 500, 10):
    ...     idx, rows = stream.query(X[i:i + 10])
    ...     if len(idx):
    ...         stream = stream.teach(rows, y[i:i + 10][idx])
    >>> stream.n_queried_ <= 0.1 * stream.n_seen_ + 1
    True
    """

    _parameter_constraints: dict = {"learner": [ActiveLearner, Committee], **_RULE_CONSTRAINTS,
                                    "random_state": ["random_state"]}

    def __init__(self, learner=None, strategy="variable", threshold=0.3, budget=0.1, step=0.01, noise=1.0,
                 score_fn=classifier_uncertainty, random_state=None):
        self.learner = learner
        self.strategy = strategy
        self.threshold = threshold
        self.budget = budget
        self.step = step
        self.noise = noise
        self.score_fn = score_fn
        self.random_state = random_state

    def __sklearn_tags__(self):
        return wrapper_tags(super().__sklearn_tags__(), self.learner)

    def fit(self, X, y):
        """Fit a clone of ``learner`` on the seed set ``(X, y)`` and start a new stream.

        A StreamLearner never fitted uses ``learner`` as given instead.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            The seed set's rows.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : StreamLearner
            The stream learner, with a fresh threshold and counts.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> stream = StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1])
        >>> stream.n_seen_, stream.predict([[3.0]]).tolist()
        (0, [1])
        """
        self._validate_params()
        _check_incremental(self.learner)
        _check_probabilities(self.learner, self.score_fn)
        return self.start(clone(self.learner).fit(X, y))

    def start(self, learner=None):
        """Validate the parameters and start a new stream: the threshold and the counts at their start.

        :meth:`query` and :meth:`teach` call it on first use; :meth:`fit`
        calls it on the clone it fitted. Bad parameters change no state.

        Parameters
        ----------
        learner : ActiveLearner, Committee or None, default=None
            The learner to stream with; None keeps the one in use
            (``learner_``), else takes the ``learner`` parameter as given.

        Returns
        -------
        self : StreamLearner
            The stream learner, with ``threshold_``, ``n_seen_`` and
            ``n_queried_`` at their initial values.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> learner = ActiveLearner(GaussianNB()).fit([[-1.0], [1.0]], [0, 1])
        >>> stream = StreamLearner(learner, threshold=0.2).start()
        >>> stream.learner_ is learner, stream.threshold_, stream.n_seen_
        (True, 0.2, 0)
        """
        self._validate_params()
        if learner is None:
            learner = getattr(self, "learner_", self.learner)
        _check_incremental(learner)
        _check_probabilities(learner, self.score_fn)
        self._rng = check_random_state(self.random_state)
        self.learner_ = learner
        self.threshold_, self.n_seen_, self.n_queried_ = float(self.threshold), 0, 0
        return self

    def _started(self):
        if not hasattr(self, "threshold_"):
            self.start()

    def reset(self):
        """Forget the threshold and the counts (the learner keeps what it learnt).

        Returns
        -------
        self : StreamLearner
            The stream learner; the next :meth:`query` starts a new stream.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> stream = StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1])
        >>> _ = stream.query([[0.0]])
        >>> hasattr(stream.reset(), "n_seen_")
        False
        """
        for name in ("threshold_", "n_seen_", "n_queried_"):
            self.__dict__.pop(name, None)
        return self

    def query(self, X, return_metrics=False):
        """Which of the arriving rows ``X`` to ask a label for.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            The arriving example(s): a mini-batch of one or more rows, in
            arrival order, in any container the learner takes.
        return_metrics : bool, default=False
            Also return the scores of the selected rows.

        Returns
        -------
        indices : ndarray of int
            Positions in ``X`` of the rows to label, in arrival order.
        rows : array-like
            Those rows of ``X``.
        scores : ndarray
            Their scores; only when ``return_metrics=True``.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> learner = ActiveLearner(GaussianNB()).fit([[-3.0], [-2.0], [2.0], [3.0]], [0, 0, 1, 1])
        >>> stream = StreamLearner(learner, strategy="fixed", threshold=0.3, budget=1.0)
        >>> stream.query([[-4.0], [0.0], [4.0]])[0].tolist()
        [1]
        """
        self._started()
        size = n_rows(X)
        if size == 0:
            return (np.empty(0, dtype=np.intp), take_rows(X, []), np.empty(0)) if return_metrics else \
                (np.empty(0, dtype=np.intp), take_rows(X, []))
        scores = np.asarray(self.score_fn(self.learner_, X), dtype=float).ravel()
        if scores.shape[0] != size:
            raise ValueError(f"score_fn returned {scores.shape[0]} scores for {size} rows.")
        if not np.all((scores >= 0.0) & (scores <= 1.0)):
            bad = scores[~((scores >= 0.0) & (scores <= 1.0))]
            raise ValueError(
                f"score_fn returned scores outside [0, 1] (e.g. {bad[0]!r}); stream thresholds are on "
                "that scale: use classifier_uncertainty, 1 - classifier_margin, or normalise the score."
            )
        chosen = self._decide(scores)
        indices = np.flatnonzero(chosen)
        rows = take_rows(X, indices)
        return (indices, rows, scores[indices]) if return_metrics else (indices, rows)

    def _decide(self, scores):
        """The threshold recurrence over the rows in arrival order (scalar steps, no model calls)."""
        chosen = np.zeros(scores.shape[0], dtype=bool)
        theta = 1.0 - self.threshold_  # the paper's threshold on the confidence 1 - score
        seen, queried = self.n_seen_, self.n_queried_
        variable = self.strategy != "fixed"
        factors = (self._rng.normal(1.0, self.noise, size=scores.shape[0])
                   if self.strategy == "randomized" else np.ones(scores.shape[0]))
        for i, score in enumerate(scores.tolist()):
            seen += 1
            if queried / seen >= self.budget:
                continue
            ask = 1.0 - score < theta * factors[i]
            if ask:
                chosen[i] = True
                queried += 1
            if variable:
                theta *= (1.0 - self.step) if ask else (1.0 + self.step)
        self.threshold_, self.n_seen_, self.n_queried_ = 1.0 - theta, seen, queried
        return chosen

    def teach(self, X, y):
        """Teach the labelled rows with ``partial_fit`` (``learner.teach(X, y, only_new=True)``).

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            The rows whose labels were asked for.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : StreamLearner
            The stream learner; its learner is taught in place.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> stream = StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1])
        >>> stream.teach([[0.5]], [1]).learner_.y_training_.tolist()
        [0, 1, 1]
        """
        self._started()
        _check_incremental(self.learner_)
        self.learner_.teach(X, y, only_new=True)
        return self

    def predict(self, X):
        """Predictions of the learner.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The learner's predictions.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1]).predict([[-2.0]]).tolist()
        [0]
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    @available_if(lambda self: hasattr(self.learner, "predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the learner.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to predict.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The learner's class probabilities.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> stream = StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1])
        >>> stream.predict_proba([[-2.0]]).shape
        (1, 2)
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)

    def score(self, X, y):
        """The learner's ``score`` (accuracy for classifiers).

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to score on.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        score : float
            The learner's score.

        Examples
        --------
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from skal import ActiveLearner
        >>> from skal.stream import StreamLearner
        >>> StreamLearner(ActiveLearner(GaussianNB())).fit([[-1.0], [1.0]], [0, 1]).score([[-2.0], [2.0]], [0, 1])
        1.0
        """
        check_is_fitted(self, "learner_")
        return self.learner_.score(X, y)

    @property
    def classes_(self):
        """Class labels of the learner."""
        check_is_fitted(self, "learner_")
        return self.learner_.classes_

    @property
    def n_features_in_(self):
        """Number of features the learner saw, when it records it."""
        check_is_fitted(self, "learner_")
        return self.learner_.n_features_in_

    @property
    def label_rate_(self):
        """Share of the examples seen whose label was asked for."""
        check_is_fitted(self, "n_seen_")
        return self.n_queried_ / self.n_seen_ if self.n_seen_ else 0.0


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


class StreamSimulation(MetaEstimatorMixin, BaseEstimator):
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
        **_RULE_CONSTRAINTS,
        "n_initial": [Int(1)],
        "initial": [StrOptions(set(INITIAL_METHODS)), callable],
        "batch_size": [Int(1)],
        "n_evaluations": [Int(0)],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "eval_size": [Interval(Real, 0, 1, closed="left")],
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
        _check_incremental(start.learner)  # before the stream: no row is taught
        _check_probabilities(start.learner, self.score_fn)
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

    @property
    def n_features_in_(self):
        """Number of features the final model saw, when it records it."""
        check_is_fitted(self, "learner_")
        return self.learner_.n_features_in_

    def predict(self, X):
        """Predictions of the final model.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The final model's predictions.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import SGDClassifier
        >>> from skal.stream import StreamSimulation
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
        >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), random_state=0).fit(X, y)
        >>> sim.predict([[3.0, 0.0], [-3.0, 0.0]]).tolist()
        [1, 0]
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the final model.

        Parameters
        ----------
        X : array-like, sparse matrix or list of str
            Rows to predict.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The final model's class probabilities.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import SGDClassifier
        >>> from skal.stream import StreamSimulation
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
        >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), random_state=0).fit(X, y)
        >>> sim.predict_proba(X[:3]).shape
        (3, 2)
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)

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
