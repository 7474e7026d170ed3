"""StreamLearner: for each arriving example, ask for its label or let it pass (Zliobaite et al., 2014).

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
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .data import n_rows, take_rows
from .fitted_learner import FittedLearnerMixin
from .learners import ActiveLearner, Committee, wrapper_tags
from .parameters import RealNumber, StrOptions
from .strategies.representation import committee_members
from .strategies.uncertainty import classifier_entropy, classifier_margin, classifier_uncertainty

__all__ = ["RULE_CONSTRAINTS", "StreamLearner", "check_incremental", "check_probabilities"]

_STRATEGIES = ("fixed", "variable", "randomized")
#: skal's score functions that read ``predict_proba``.
_PROBA_SCORES = (classifier_uncertainty, classifier_margin, classifier_entropy)
#: The parameters of the threshold rule, shared by StreamLearner and StreamSimulation.
RULE_CONSTRAINTS = {
    "strategy": [StrOptions(set(_STRATEGIES))],
    "threshold": [RealNumber(0, 1, closed="both")],
    "budget": [RealNumber(0, 1, closed="right")],
    "step": [RealNumber(0, 1, closed="neither")],
    "noise": [RealNumber(0, None, closed="neither")],
    "score_fn": [callable],
}

def check_incremental(learner):
    """Raise a ValueError unless ``learner`` is a skal learner whose every model has ``partial_fit``.

    Parameters
    ----------
    learner : ActiveLearner or Committee
        The learner to stream with (fitted or not).

    Returns
    -------
    None
        It returns nothing when the learner can stream.

    Raises
    ------
    ValueError
        Naming the model without ``partial_fit`` and what to use instead.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression, SGDClassifier
    >>> from skal import ActiveLearner
    >>> from skal.stream_learner import check_incremental
    >>> check_incremental(ActiveLearner(SGDClassifier()))
    >>> check_incremental(ActiveLearner(LogisticRegression()))
    Traceback (most recent call last):
    ...
    ValueError: Stream mode teaches each labelled example with partial_fit, which LogisticRegression does not have. Use an incremental estimator (SGDClassifier, Perceptron, MultinomialNB, MLPClassifier, skal.TransformerClassifier...).
    """
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


def check_probabilities(learner, score_fn):
    """Raise a ValueError when ``score_fn`` reads probabilities that a model under ``learner`` lacks.

    Parameters
    ----------
    learner : ActiveLearner or Committee
        The learner to stream with (fitted or not).
    score_fn : callable
        The score function; skal's uncertainty scores read ``predict_proba``.

    Returns
    -------
    None
        It returns nothing when the score can be computed.

    Raises
    ------
    ValueError
        Naming the model without ``predict_proba`` and the way out.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies import classifier_uncertainty
    >>> from skal.stream_learner import check_probabilities
    >>> check_probabilities(ActiveLearner(SGDClassifier(loss="log_loss")), classifier_uncertainty)
    """
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


class StreamLearner(FittedLearnerMixin, BaseEstimator):
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

    _model_parameter = "learner"
    _parameter_constraints: dict = {"learner": [ActiveLearner, Committee], **RULE_CONSTRAINTS,
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
        check_incremental(self.learner)
        check_probabilities(self.learner, self.score_fn)
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
        check_incremental(learner)
        check_probabilities(learner, self.score_fn)
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
        check_incremental(self.learner_)
        self.learner_.teach(X, y, only_new=True)
        return self

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
    def label_rate_(self):
        """Share of the examples seen whose label was asked for."""
        check_is_fitted(self, "n_seen_")
        return self.n_queried_ / self.n_seen_ if self.n_seen_ else 0.0
