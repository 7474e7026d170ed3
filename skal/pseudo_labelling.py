"""Cost-effective active learning (CEAL): human labels for the uncertain rows, pseudo-labels for the sure ones.

Wang, Zhang, Li, Zhang & Lin (2016), "Cost-effective active learning for
deep image classification", IEEE TCSVT 27(12). Every round:

1. the rows the model is least sure of go to a person (the learner's
   ``query_strategy``, least confidence by default);
2. the pool rows whose predicted class distribution has an entropy below
   ``delta`` get the model's own prediction as a pseudo-label;
3. the model is refitted on the human labels and the pseudo-labels together;
4. the pseudo-labelled rows go back to the pool (they are chosen afresh every
   round) and the threshold tightens: ``delta <- delta - decay``.

Human labels and pseudo-labels never mix in what is stored: the human
labels are the learner's ``X_training_``/``y_training_`` (what a labelling
session saves and what every report counts), the pseudo-labels are
``CEALLearner.pseudo_labels_`` (a DataFrame with ``source == "pseudo"``) and
``X_pseudo_``/``y_pseudo_``; only the fitted model sees their union.
"""


import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.exceptions import NotFittedError

from .data import check_consistent_rows, check_labels, check_no_nan, n_rows, take_rows
from .estimator_repr import short_repr
from .learners import ActiveLearner, wrapper_tags
from .parameters import Int, RealNumber
from .strategies.uncertainty import proba_entropy
from .targets import check_known_labels

__all__ = ["CEALLearner"]

_PSEUDO_COLUMNS = ["round", "position", "label", "entropy", "source"]
_HISTORY_COLUMNS = ["round", "delta", "n_human", "n_pseudo", "pseudo_accuracy"]


class CEALLearner(MetaEstimatorMixin, BaseEstimator):
    """Active learning with pseudo-labels for the confident pool rows (CEAL, Wang et al. 2016).

    Parameters
    ----------
    learner : ActiveLearner
        The learner whose ``query_strategy`` picks the rows for the person
        and whose estimator is trained. :meth:`fit` clones it; a CEALLearner
        never fitted adopts it as given (fitted, or fitting from its own
        ``X_training``/``y_training``) and then updates it in place.
    delta : float, default=0.05
        Starting entropy threshold (natural log): pool rows whose predicted
        distribution has an entropy below it are pseudo-labelled. It must lie
        in [0, log(n_classes)), since every distribution is below log(n_classes).
        Wang et al. use 0.05 (Caltech-256) and 0.005 (CACD) for deep networks.
    decay : float, default=0.0033
        Amount ``dr`` taken off the threshold after every round (it stops at 0).
    max_pseudo_labels : int or None, default=None
        Keep at most this many pseudo-labels per round, the most confident
        first; None keeps every row under the threshold.

    Attributes
    ----------
    learner_ : ActiveLearner
        Its ``X_training_``/``y_training_`` are the human labels only; its
        ``estimator_`` is fitted on human labels and pseudo-labels together.
    delta_ : float
        The threshold the next round will use.
    round_ : int
        Rounds taught so far.
    pseudo_labels_ : pandas.DataFrame
        The pseudo-labels the current model was trained on: ``round``,
        ``position`` (in the ``X_pool`` given to :meth:`teach`), ``label``,
        ``entropy`` and ``source`` (always ``"pseudo"``).
    X_pseudo_, y_pseudo_ : the pseudo-labelled rows and their labels (None before any).
    history_ : pandas.DataFrame
        One row per round: ``round``, ``delta``, ``n_human``, ``n_pseudo``,
        ``pseudo_accuracy`` (NaN unless ``y_pool_true`` was given to teach,
        as in a simulation).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.pseudo_labelling import CEALLearner
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2)); y = (X[:, 0] > 0).astype(int)
    >>> ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.2).fit(X[:10], y[:10])
    >>> pool = np.arange(10, 300)
    >>> idx, rows = ceal.query(X[pool], n_instances=5)
    >>> rest = np.delete(pool, idx)
    >>> ceal = ceal.teach(rows, y[pool[idx]], X_pool=X[rest])
    >>> ceal.learner_.y_training_.shape                # human labels only
    (15,)
    >>> set(ceal.pseudo_labels_["source"]) <= {"pseudo"}
    True
    """

    _parameter_constraints: dict = {
        "learner": [ActiveLearner],
        "delta": [RealNumber(0, None, closed="left")],
        "decay": [RealNumber(0, None, closed="left")],
        "max_pseudo_labels": [Int(0), None],
    }

    def __init__(self, learner=None, delta=0.05, decay=0.0033, max_pseudo_labels=None):
        self.learner = learner
        self.delta = delta
        self.decay = decay
        self.max_pseudo_labels = max_pseudo_labels

    def __sklearn_tags__(self):
        return wrapper_tags(super().__sklearn_tags__(), self.learner)

    def __sklearn_is_fitted__(self):
        # fitted, or adopting a learner fitted already; one that would fit from X_training is not, yet
        return hasattr(self, "learner_") or (isinstance(self.learner, ActiveLearner)
                                             and self.learner.__sklearn_is_fitted__())

    def __repr__(self, N_CHAR_MAX=700):
        return short_repr(self, N_CHAR_MAX)

    def _check_delta(self, classes):
        limit = float(np.log(len(classes)))
        if self.delta >= limit:
            raise ValueError(
                f"delta={self.delta} would pseudo-label every row: entropies of {len(classes)} classes never "
                f"exceed log({len(classes)}) = {limit:.3f}; choose delta in [0, {limit:.3f})."
            )

    def _reset(self, learner):
        self._check_delta(learner.classes_)
        self.learner_, self.delta_, self.round_ = learner, float(self.delta), 0
        self.X_pseudo_ = self.y_pseudo_ = None
        self.pseudo_labels_ = pd.DataFrame({c: [] for c in _PSEUDO_COLUMNS})
        self._history = []
        self.history_ = pd.DataFrame(self._history, columns=_HISTORY_COLUMNS)

    # ------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Fit a clone of ``learner`` on the human-labelled seed set ``(X, y)``; forget any pseudo-labels.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The human-labelled rows.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : CEALLearner
            The fitted learner.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> CEALLearner(ActiveLearner(LogisticRegression())).fit([[0.], [1.]], [0, 1]).round_
        0
        """
        self._validate_params()
        learner = clone(self.learner).fit(X, y)
        self._reset(learner)
        return self

    def ensure_fitted(self, required=True):
        """Adopt ``learner`` as given (fitted, or fitting from its own ``X_training``) when fit was never called.

        Parameters
        ----------
        required : bool, default=True
            Raise when the learner has nothing to fit on; else return False.

        Returns
        -------
        fitted : bool
            Whether this CEALLearner is fitted now.

        Raises
        ------
        NotFittedError
            When ``required`` and the learner is neither fitted nor has training data.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> learner = ActiveLearner(LogisticRegression(), X_training=[[0.], [1.]], y_training=[0, 1])
        >>> CEALLearner(learner).ensure_fitted()
        True
        """
        if hasattr(self, "learner_"):
            return True
        self._validate_params()
        if not self.learner.ensure_fitted(required=required):  # adopt the learner as given (modAL semantics)
            return False
        self._reset(self.learner)
        return True

    def teach(self, X, y, X_pool=None, y_pool_true=None):
        """Add human labels, pseudo-label the confident pool rows, refit on both.

        Nothing changes when a check or the refit fails.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows a person just labelled.
        y : array-like of shape (n_samples,)
            Their labels, all among the model's ``classes_``.
        X_pool : array-like, default=None
            The remaining unlabelled pool, without the rows in ``X``. Its rows
            with an entropy below ``delta_`` under the current model are
            pseudo-labelled with the model's prediction. None adds no
            pseudo-labels this round.
        y_pool_true : array-like, default=None
            The true labels of ``X_pool``, when known (a simulation); used
            only to record the pseudo-labels' accuracy in ``history_``.

        Returns
        -------
        self : CEALLearner
            The learner after this round.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> X = np.linspace(-3, 3, 40).reshape(-1, 1); y = (X[:, 0] > 0).astype(int)
        >>> ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.5).fit(X[[0, -1]], y[[0, -1]])
        >>> ceal.teach(X[[1]], y[[1]], X_pool=X[2:-1]).history_["n_human"].tolist()
        [3]
        """
        self.ensure_fitted()
        check_consistent_rows(X, y)
        y = check_labels(y)
        learner = self.learner_
        check_known_labels(y, learner.classes_)
        check_no_nan(X, learner.estimator_)
        if X_pool is not None and y_pool_true is not None:
            check_consistent_rows(X_pool, y_pool_true)
        positions, labels, entropy = self._pseudo_label(X_pool)
        X_pseudo = take_rows(X_pool, positions) if positions.shape[0] else None
        y_pseudo = labels if positions.shape[0] else None

        # Human labels go to the learner's training data; the model sees them and the pseudo-labels.
        learner.commit(learner.prepare_teach(X, y, X_extra=X_pseudo, y_extra=y_pseudo))
        n_human = int(learner.y_training_.shape[0])

        self.round_ += 1
        accuracy = np.nan
        if y_pool_true is not None and positions.shape[0]:
            accuracy = float(np.mean(check_labels(y_pool_true)[positions] == labels))
        self._history.append({"round": self.round_, "delta": self.delta_, "n_human": n_human,
                              "n_pseudo": int(positions.shape[0]), "pseudo_accuracy": accuracy})
        self.history_ = pd.DataFrame(self._history, columns=_HISTORY_COLUMNS)
        self.pseudo_labels_ = pd.DataFrame({
            "round": np.full(positions.shape[0], self.round_), "position": positions, "label": labels,
            "entropy": entropy, "source": np.full(positions.shape[0], "pseudo", dtype=object)},
            columns=_PSEUDO_COLUMNS)
        self.X_pseudo_, self.y_pseudo_ = X_pseudo, y_pseudo
        self.delta_ = max(self.delta_ - float(self.decay), 0.0)
        return self

    def _pseudo_label(self, X_pool):
        """Positions, predicted labels and entropies of the pool rows under ``delta_``."""
        empty = np.empty(0, dtype=np.intp), np.empty(0, dtype=self.learner_.classes_.dtype), np.empty(0)
        if X_pool is None or n_rows(X_pool) == 0 or self.delta_ <= 0 or self.max_pseudo_labels == 0:
            return empty
        proba = self.learner_.predict_proba(X_pool)
        entropy = proba_entropy(proba)
        positions = np.flatnonzero(entropy < self.delta_)
        if self.max_pseudo_labels is not None and positions.shape[0] > self.max_pseudo_labels:
            keep = np.argsort(entropy[positions], kind="stable")[: self.max_pseudo_labels]
            positions = np.sort(positions[keep])
        labels = np.asarray(self.learner_.classes_)[np.argmax(proba[positions], axis=1)]
        return positions, labels, entropy[positions]

    # ------------------------------------------------------ the learner's API
    def query(self, X_pool, n_instances=1, return_metrics=False, **query_kwargs):
        """The rows for the person: the learner's query on the model trained with pseudo-labels.

        Parameters
        ----------
        X_pool : array-like, sparse matrix, list of strings or DataFrame
            The unlabelled rows to choose from.
        n_instances : int, default=1
            How many rows to pick.
        return_metrics : bool, default=False
            Also return the strategy's scores of the selected rows.
        **query_kwargs : dict
            Passed to the query strategy.

        Returns
        -------
        indices : ndarray of int
            Pool positions, most informative first.
        rows : array-like
            The selected rows of ``X_pool``.
        scores : ndarray
            Only when ``return_metrics=True``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> ceal = CEALLearner(ActiveLearner(LogisticRegression())).fit([[-1.], [1.]], [0, 1])
        >>> ceal.query(np.array([[-5.], [0.1], [5.]]))[0]
        array([1])
        """
        self.ensure_fitted()
        return self.learner_.query(X_pool, n_instances, return_metrics, **query_kwargs)

    def predict(self, X):
        """Predictions of the model trained on human labels and pseudo-labels.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            One class per row.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> CEALLearner(ActiveLearner(LogisticRegression())).fit([[-1.], [1.]], [0, 1]).predict([[3.]])
        array([1])
        """
        self.ensure_fitted()
        return self.learner_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of that model.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> CEALLearner(ActiveLearner(LogisticRegression())).fit([[-1.], [1.]], [0, 1]).predict_proba([[0.]]).shape
        (1, 2)
        """
        self.ensure_fitted()
        return self.learner_.predict_proba(X)

    def score(self, X, y):
        """The model's ``score`` (accuracy).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score on.
        y : array-like of shape (n_samples,)
            Their true labels.

        Returns
        -------
        score : float
            The accuracy.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> from skal.pseudo_labelling import CEALLearner
        >>> CEALLearner(ActiveLearner(LogisticRegression())).fit([[-1.], [1.]], [0, 1]).score([[-2.], [2.]], [0, 1])
        1.0
        """
        self.ensure_fitted()
        return self.learner_.score(X, y)

    @property
    def n_features_in_(self):
        """Number of features the learner's model saw; never fits."""
        return (self.learner_ if hasattr(self, "learner_") else self.learner).n_features_in_

    @property
    def classes_(self):
        """The classes of the learner's model; never fits."""
        if hasattr(self, "learner_"):
            return self.learner_.classes_
        if self.__sklearn_is_fitted__():
            return self.learner.classes_
        raise NotFittedError("This CEALLearner is not fitted yet: call fit(X, y) or ensure_fitted().")
