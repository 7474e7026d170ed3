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

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils._tags import get_tags
from sklearn.utils.validation import check_is_fitted

from sklearn.exceptions import NotFittedError

from .data import check_consistent_rows, check_labels, n_rows, take_rows
from .learners import ActiveLearner, Committee
from .strategies.uncertainty import classifier_entropy, classifier_margin, classifier_uncertainty

__all__ = ["StreamLearner", "simulate_stream"]

_STRATEGIES = ("fixed", "variable", "randomized")
#: skal's score functions that read ``predict_proba``.
_PROBA_SCORES = (classifier_uncertainty, classifier_margin, classifier_entropy)


def _members(learner):
    if isinstance(learner, Committee):
        return learner.learners_ if hasattr(learner, "learners_") else list(learner.learner_list)
    return [learner]


def _check_incremental(learner):
    """Raise a ValueError unless every model under ``learner`` has ``partial_fit``."""
    if not isinstance(learner, (ActiveLearner, Committee)):
        raise ValueError(
            f"StreamLearner needs an ActiveLearner or a Committee as learner, got {type(learner).__name__}; "
            "wrap the estimator as ActiveLearner(estimator)."
        )
    for member in _members(learner):
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
    for member in _members(learner):
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
        tags = super().__sklearn_tags__()
        if self.learner is not None:
            inner = get_tags(self.learner)
            tags.estimator_type = inner.estimator_type
            tags.classifier_tags = inner.classifier_tags
            tags.input_tags = inner.input_tags
        return tags

    def _check_params(self):
        if self.strategy not in _STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(_STRATEGIES)}, got {self.strategy!r}.")
        if not (isinstance(self.threshold, (int, float, np.number)) and 0.0 <= self.threshold <= 1.0):
            raise ValueError(
                f"threshold must lie in [0, 1] (scores are on that scale), got {self.threshold!r}."
            )
        if not (isinstance(self.budget, (int, float, np.number)) and 0.0 < self.budget <= 1.0):
            raise ValueError(f"budget is a share of the examples and must lie in (0, 1], got {self.budget!r}.")
        if not (isinstance(self.step, (int, float, np.number)) and 0.0 < self.step < 1.0):
            raise ValueError(f"step must lie in (0, 1), got {self.step!r}.")
        if not (isinstance(self.noise, (int, float, np.number)) and self.noise > 0):
            raise ValueError(f"noise must be a positive standard deviation, got {self.noise!r}.")
        if self.learner is None:
            raise ValueError("StreamLearner needs a learner: StreamLearner(ActiveLearner(SGDClassifier())).")
        if not callable(self.score_fn):
            raise ValueError(f"score_fn must be a callable score_fn(learner, X), got {self.score_fn!r}.")
        _check_incremental(self.learner)
        _check_probabilities(self.learner, self.score_fn)

    def fit(self, X, y):
        """Fit a clone of ``learner`` on the seed set ``(X, y)`` and start a new stream.

        A StreamLearner never fitted uses ``learner`` as given instead.

        Returns
        -------
        self : StreamLearner
        """
        self._check_params()
        learner = clone(self.learner).fit(X, y)
        self.reset()
        self._start(learner)
        return self

    def _start(self, learner=None):
        """Validate parameters and initialise the state on first use."""
        if hasattr(self, "threshold_"):
            return
        self._check_params()
        self._rng = check_random_state(self.random_state)
        if learner is not None or not hasattr(self, "learner_"):
            self.learner_ = self.learner if learner is None else learner
        self.threshold_, self.n_seen_, self.n_queried_ = float(self.threshold), 0, 0

    def reset(self):
        """Forget the threshold and the counts (the learner keeps what it learnt)."""
        for name in ("threshold_", "n_seen_", "n_queried_"):
            self.__dict__.pop(name, None)
        return self

    def query(self, X, return_metrics=False):
        """Which of the arriving rows ``X`` to ask a label for.

        Parameters
        ----------
        X : the arriving example(s): a mini-batch of one or more rows, in
            arrival order, in any container the learner takes.
        return_metrics : bool, default=False
            Also return the scores of the selected rows.

        Returns
        -------
        indices : ndarray
            Positions in ``X`` of the rows to label, in arrival order.
        rows : those rows of ``X``
        scores : ndarray, only when ``return_metrics=True``
        """
        self._start()
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
        """Teach the labelled rows with ``partial_fit`` (``learner.teach(X, y, only_new=True)``)."""
        self._start()
        _check_incremental(self.learner_)
        self.learner_.teach(X, y, only_new=True)
        return self

    def predict(self, X):
        """Predictions of the learner."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of the learner."""
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)

    def score(self, X, y):
        """The learner's ``score`` (accuracy for classifiers)."""
        check_is_fitted(self, "learner_")
        return self.learner_.score(X, y)

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
    X, y : the stream, in arrival order.
    strategy, threshold, budget, step, noise, score_fn, random_state :
        As for :class:`StreamLearner`.
    batch_size : int, default=1
        Examples arriving together; the model is taught after each batch.
    X_eval, y_eval : held-out data for the learning curve, default=None
        None records no score (``score`` is NaN).
    scoring : str, callable or None, default=None
        A scikit-learn scorer; None is the learner's ``score``.
    n_evaluations : int, default=20
        Points of the learning curve besides the start (evenly spaced over
        the stream; the last batch is always one).

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
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if (X_eval is None) != (y_eval is None):
        raise ValueError("Pass both X_eval and y_eval, or neither.")
    if X_eval is not None:
        check_consistent_rows(X_eval, y_eval)
        y_eval = check_labels(y_eval, "y_eval")
    stream = StreamLearner(learner, strategy, threshold, budget, step, noise, score_fn, random_state)
    stream._check_params()
    _check_fitted(learner, y)
    if X_eval is not None:
        _check_eval_labels(learner, y, y_eval)
    stream._start()
    scorer = check_scoring(learner, scoring=scoring) if X_eval is not None else None
    starts = np.arange(0, size, batch_size)
    checkpoints = set(np.linspace(0, starts.shape[0] - 1, max(1, n_evaluations)).round().astype(int).tolist())
    checkpoints.add(starts.shape[0] - 1)

    def record():
        training = getattr(_members(learner)[0], "y_training_", None)
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
