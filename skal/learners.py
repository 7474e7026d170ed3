"""Active learners: ActiveLearner, Committee and CommitteeRegressor.

They are scikit-learn meta-estimators with modAL's names and call shapes:
``__init__`` only stores parameters, ``fit`` fits a clone of the wrapped
estimator, ``teach`` adds labelled rows and refits, and ``query`` asks the
query strategy which pool rows to label next.
"""

import inspect

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._tags import get_tags
from sklearn.utils.validation import check_is_fitted

from .data import check_consistent_rows, check_labels, check_no_nan, check_pool, concat_rows, n_rows, take_rows
from .strategies.committee import max_std_sampling, vote_entropy_sampling
from .strategies.uncertainty import uncertainty_sampling

__all__ = ["ActiveLearner", "Committee", "CommitteeRegressor"]


def _as_labels(y):
    """``y`` as a numpy array; missing or mixed-type labels raise (:func:`skal.data.check_labels`)."""
    return check_labels(y)


def _unlabelled_mask(y):
    """Rows marked unlabelled by scikit-learn's semi-supervised convention (``y == -1``)."""
    if y.dtype.kind in "iuf":
        return y == -1
    return np.zeros(y.shape[0], dtype=bool)


def _check_classes(y, what):
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{what} holds one class only ({classes[0]!r}); a classifier needs at least two. "
            "Label at least one row of another class (rows labelled -1 count as unlabelled)."
        )


def _check_known_labels(y, classes):
    unseen = np.setdiff1d(np.unique(y), np.asarray(classes))
    if unseen.size:
        raise ValueError(
            f"Labels {unseen.tolist()} were never seen by the model, which knows "
            f"{np.asarray(classes).tolist()}. Refit with fit() on data that contains them."
        )


def _wrapper_tags(tags, estimator):
    """Tags of a meta-estimator that predicts with ``estimator``: its type, inputs and targets."""
    if estimator is not None:
        inner = get_tags(estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags = inner.input_tags
        tags.target_tags = inner.target_tags
        tags.target_tags.required = True
    return tags


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _run_strategy(strategy, learner, X_pool, n_instances, rng, query_kwargs):
    """Call a query strategy under skal's or modAL's contract; return (indices, metrics)."""
    size = check_pool(X_pool, n_instances)
    if strategy is None or not callable(strategy):
        raise ValueError(f"query_strategy must be a callable, got {strategy!r}.")
    kwargs = dict(query_kwargs)
    try:
        accepts_random_state = "random_state" in inspect.signature(strategy).parameters
    except (TypeError, ValueError):
        accepts_random_state = False
    if accepts_random_state and "random_state" not in kwargs:
        kwargs["random_state"] = rng.randint(np.iinfo(np.int32).max)
    result = strategy(learner, X_pool, n_instances=n_instances, **kwargs)
    indices, metrics = result if isinstance(result, tuple) and len(result) == 2 else (result, None)
    indices = np.asarray(indices).astype(np.intp, copy=False).ravel()
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ValueError(
            f"The query strategy returned indices outside the pool of {size} rows."
        )
    return indices, metrics


class ActiveLearner(MetaEstimatorMixin, BaseEstimator):
    """Pool-based active learner around any scikit-learn estimator.

    A drop-in for ``modAL.models.ActiveLearner`` that is also a real
    scikit-learn meta-estimator: it clones, grid-searches, cross-validates and
    sits as the last step of a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    estimator : estimator object
        The model to train: any scikit-learn estimator, a pipeline, or
        :class:`skal.TransformerClassifier`. It is cloned in :meth:`fit`.
    query_strategy : callable, default=uncertainty_sampling
        ``strategy(learner, X_pool, n_instances=1, **kwargs) -> (indices, scores)``.
        Strategies written for modAL (returning ``(indices, scores)`` or bare
        indices) are accepted too. A strategy with a ``random_state`` argument
        receives one drawn from this learner's ``random_state``.
    X_training, y_training : array-like, default=None
        Initial labelled data, modAL-style: when given, the learner fits on
        them at first use (``query``, ``predict``, ``teach``...) so it is usable
        without calling :meth:`fit`.
    bootstrap_init : bool, default=False
        Fit the first model on a bootstrap resample of the training data (as
        modAL does for committee members).
    on_transformed : bool, default=False
        Tells representation-based strategies to work on the output of the
        pipeline minus its last step (:meth:`transform_without_estimating`).
    random_state : int, RandomState instance or None, default=None
        Seeds bootstrapping and the strategies that take a ``random_state``.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    X_training_, y_training_ : the labelled data the model was fitted on.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in fit, when the wrapped estimator records it.

    Notes
    -----
    Where modAL mutates ``learner.X_training`` and ``learner.estimator``,
    skal keeps parameters untouched and stores the labelled data in
    ``X_training_``/``y_training_`` and the fitted model in ``estimator_``.

    For classifiers, ``fit(X, y)`` follows scikit-learn's semi-supervised
    convention: rows with ``y == -1`` are unlabelled and ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies import entropy_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression(), entropy_sampling,
    ...                         X_training=X[:10], y_training=y[:10])
    >>> idx, rows = learner.query(X[10:], n_instances=5)
    >>> learner.teach(rows, y[10:][idx]).y_training_.shape
    (15,)
    """

    def __init__(
        self,
        estimator=None,
        query_strategy=uncertainty_sampling,
        X_training=None,
        y_training=None,
        bootstrap_init=False,
        on_transformed=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.query_strategy = query_strategy
        self.X_training = X_training
        self.y_training = y_training
        self.bootstrap_init = bootstrap_init
        self.on_transformed = on_transformed
        self.random_state = random_state

    def __sklearn_tags__(self):
        return _wrapper_tags(super().__sklearn_tags__(), self.estimator)

    # --------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Fit a clone of ``estimator`` on ``(X, y)``, replacing the training data.

        For classifiers, rows labelled ``-1`` are unlabelled and skipped.

        Returns
        -------
        self : ActiveLearner
        """
        if self.estimator is None:
            raise ValueError("ActiveLearner needs an estimator, got estimator=None.")
        if y is None:
            raise ValueError(
                "ActiveLearner requires y to be passed, but the target y is None."
            )
        check_consistent_rows(X, y)
        y = _as_labels(y)
        if is_classifier(self.estimator):
            unlabelled = _unlabelled_mask(y)
            if unlabelled.any():
                keep = np.flatnonzero(~unlabelled)
                X, y = take_rows(X, keep), y[keep]
        if n_rows(X) == 0:
            raise ValueError("There are no labelled rows to fit on (every label is -1 or y is empty).")
        if is_classifier(self.estimator):
            _check_classes(y, "The labelled data")
        check_no_nan(X, self.estimator)
        rng = check_random_state(self.random_state)
        estimator = self._fit_model(clone(self.estimator), X, y, self.bootstrap_init, rng)
        self._rng = rng
        self.estimator_, self.X_training_, self.y_training_ = estimator, X, y
        return self

    def teach(self, X, y, bootstrap=False, only_new=False):
        """Add labelled rows and refit.

        Parameters
        ----------
        X, y : the newly labelled rows and their labels.
        bootstrap : bool, default=False
            Refit on a bootstrap resample of all training data.
        only_new : bool, default=False
            Train on the new rows only: ``partial_fit`` when the estimator has
            it, else ``fit`` (the way modAL does), keeping the old rows in
            ``X_training_`` all the same.

        Returns
        -------
        self : ActiveLearner
        """
        check_consistent_rows(X, y)
        y = _as_labels(y)
        if not self._ensure_fitted(required=False):
            return self.fit(X, y)
        if is_classifier(self.estimator_):
            _check_known_labels(y, self.classes_)
        return self._teach(X, y, bootstrap, only_new)

    def _teach(self, X, y, bootstrap, only_new):
        check_no_nan(X, self.estimator_)
        X_all = concat_rows(self.X_training_, X)
        y_all = y if self.y_training_ is None else np.concatenate([self.y_training_, y])
        if only_new and hasattr(self.estimator_, "partial_fit"):
            self.estimator_.partial_fit(X, y)
            estimator = self.estimator_
        elif only_new:
            estimator = self._fit_model(self._refit_target(), X, y, bootstrap, self._rng)
        else:
            estimator = self._fit_model(self._refit_target(), X_all, y_all, bootstrap, self._rng)
        self.estimator_, self.X_training_, self.y_training_ = estimator, X_all, y_all
        return self

    def _refit(self, bootstrap):
        """Refit on the known training data (``Committee.rebag`` uses it)."""
        self._ensure_fitted()
        if self.X_training_ is None:
            return self
        self.estimator_ = self._fit_model(
            self._refit_target(), self.X_training_, self.y_training_, bootstrap, self._rng
        )
        return self

    def _refit_target(self):
        """The model to refit: the fitted one under warm_start, else a fresh clone."""
        params = self.estimator_.get_params(deep=False) if hasattr(self.estimator_, "get_params") else {}
        return self.estimator_ if params.get("warm_start") else clone(self.estimator)

    @staticmethod
    def _fit_model(estimator, X, y, bootstrap, rng):
        if bootstrap:
            rows = rng.choice(n_rows(X), size=n_rows(X), replace=True)
            X, y = take_rows(X, rows), y[rows]
        return estimator.fit(X, y)

    def _ensure_fitted(self, required=True):
        """Fit lazily from ``X_training``/``y_training`` (modAL's constructor semantics).

        Returns whether the learner is fitted; raises NotFittedError when
        ``required`` and there is nothing to fit on.
        """
        if hasattr(self, "estimator_"):
            return True
        if self.X_training is not None:
            self.fit(self.X_training, self.y_training)
            return True
        if self.estimator is not None and _is_fitted(self.estimator):
            # modAL users hand over an already fitted model and query at once.
            self._rng = check_random_state(self.random_state)
            self.estimator_, self.X_training_, self.y_training_ = self.estimator, None, None
            return True
        if required:
            raise NotFittedError(
                "This ActiveLearner is not fitted yet: call fit(X, y) or teach(X, y), "
                "or pass X_training and y_training."
            )
        return False

    # -------------------------------------------------------------- querying
    def query(self, X_pool, n_instances=1, return_metrics=False, **query_kwargs):
        """Ask the query strategy for the pool rows to label next.

        Parameters
        ----------
        X_pool : array-like, sparse matrix, list of strings or DataFrame
        n_instances : int, default=1
        return_metrics : bool, default=False
            Also return the strategy's scores of the selected rows.
        **query_kwargs : passed to the query strategy.

        Returns
        -------
        indices : ndarray of pool positions, most informative first
        rows : the selected rows of ``X_pool``, as the same container type
        scores : ndarray, only when ``return_metrics=True``
        """
        self._ensure_fitted()
        indices, metrics = _run_strategy(
            self.query_strategy, self, X_pool, n_instances, self._rng, query_kwargs
        )
        rows = take_rows(X_pool, indices)
        return (indices, rows, metrics) if return_metrics else (indices, rows)

    # ------------------------------------------------------------ prediction
    def predict(self, X, **predict_kwargs):
        """Predict with the fitted model."""
        self._ensure_fitted()
        return self.estimator_.predict(X, **predict_kwargs)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "predict_proba"))
    def predict_proba(self, X, **predict_proba_kwargs):
        """Class probabilities of the fitted model."""
        self._ensure_fitted()
        return self.estimator_.predict_proba(X, **predict_proba_kwargs)

    def score(self, X, y, **score_kwargs):
        """The fitted model's own ``score`` (accuracy for classifiers, R² for regressors)."""
        self._ensure_fitted()
        return self.estimator_.score(X, y, **score_kwargs)

    def transform_without_estimating(self, X):
        """``X`` as the last step of a pipeline sees it; ``X`` itself otherwise."""
        self._ensure_fitted()
        if isinstance(self.estimator_, Pipeline) and len(self.estimator_) > 1:
            return self.estimator_[:-1].transform(X)
        return X

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "embed"))
    def embed(self, X):
        """The wrapped model's ``embed`` (e.g. a transformer's pooled representation)."""
        self._ensure_fitted()
        return self.estimator_.embed(X)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "predict_proba_mc"))
    def predict_proba_mc(self, X, **kwargs):
        """The wrapped model's MC-dropout probabilities, shape (n, mc_samples, n_classes)."""
        self._ensure_fitted()
        return self.estimator_.predict_proba_mc(X, **kwargs)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "gradient_embedding"))
    def gradient_embedding(self, X):
        """The wrapped model's last-layer gradient embedding (BADGE)."""
        self._ensure_fitted()
        return self.estimator_.gradient_embedding(X)

    @property
    def classes_(self):
        self._ensure_fitted()
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        check_is_fitted(self, "estimator_")
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        check_is_fitted(self, "estimator_")
        return self.estimator_.feature_names_in_


class _BaseCommittee(MetaEstimatorMixin, BaseEstimator):
    """What Committee and CommitteeRegressor share: members, teaching, querying."""

    def __init__(self, learner_list, query_strategy, on_transformed=False, random_state=None):
        self.learner_list = learner_list
        self.query_strategy = query_strategy
        self.on_transformed = on_transformed
        self.random_state = random_state

    def __len__(self):
        return len(self._members())

    def __iter__(self):
        return iter(self._members())

    def _members(self):
        return self.learners_ if hasattr(self, "learners_") else list(self.learner_list)

    def _check_learner_list(self):
        if not self.learner_list:
            raise ValueError("A committee needs a non-empty learner_list.")
        for member in self.learner_list:
            if not isinstance(member, ActiveLearner):
                raise ValueError(
                    f"Committee members must be ActiveLearner instances, got {type(member).__name__}; "
                    "wrap it as ActiveLearner(estimator)."
                )

    def fit(self, X, y):
        """Fit a clone of every member on ``(X, y)``.

        Returns
        -------
        self
        """
        self._check_learner_list()
        self.learners_ = [clone(member).fit(X, y) for member in self.learner_list]
        self._rng = check_random_state(self.random_state)
        return self

    def _ensure_fitted(self, required=True):
        """Adopt the members as given (modAL semantics) when fit was never called."""
        if hasattr(self, "learners_"):
            return True
        self._check_learner_list()
        ready = [m._ensure_fitted(required=False) for m in self.learner_list]
        if all(ready):
            self.learners_ = list(self.learner_list)
            self._rng = check_random_state(self.random_state)
            return True
        if required:
            raise NotFittedError(
                "This committee is not fitted yet: call fit(X, y) or teach(X, y), "
                "or give its members X_training and y_training."
            )
        return False

    def teach(self, X, y, bootstrap=False, only_new=False):
        """Teach every member the new rows (see :meth:`ActiveLearner.teach`)."""
        check_consistent_rows(X, y)
        y = _as_labels(y)
        if not self._ensure_fitted(required=False):
            return self.fit(X, y)
        if is_classifier(self):
            _check_known_labels(y, self.classes_)
        for member in self.learners_:
            check_no_nan(X, member.estimator_)
        for member in self.learners_:
            member._teach(X, y, bootstrap, only_new)
        return self

    def rebag(self):
        """Refit every member on a bootstrap resample of its own training data."""
        self._ensure_fitted()
        for member in self.learners_:
            member._refit(bootstrap=True)
        return self

    def query(self, X_pool, n_instances=1, return_metrics=False, **query_kwargs):
        """Ask the query strategy for the pool rows to label next (see ActiveLearner.query)."""
        self._ensure_fitted()
        indices, metrics = _run_strategy(
            self.query_strategy, self, X_pool, n_instances, self._rng, query_kwargs
        )
        rows = take_rows(X_pool, indices)
        return (indices, rows, metrics) if return_metrics else (indices, rows)

    def vote(self, X, **predict_kwargs):
        """Each member's prediction, shape (n_samples, n_members)."""
        self._ensure_fitted()
        return np.column_stack([m.predict(X, **predict_kwargs) for m in self.learners_])

    def transform_without_estimating(self, X):
        """The members' pipeline transforms of ``X``, side by side (as modAL)."""
        self._ensure_fitted()
        parts = [m.transform_without_estimating(X) for m in self.learners_]
        if all(p is X for p in parts):
            return X
        if any(sp.issparse(p) for p in parts):
            return sp.hstack(parts, format="csr")
        return np.hstack(parts)


class Committee(ClassifierMixin, _BaseCommittee):
    """Query-by-committee classifier made of several :class:`ActiveLearner` members.

    Parameters
    ----------
    learner_list : list of ActiveLearner
        The members. :meth:`fit` clones them; a committee never fitted adopts
        them as given (modAL's semantics), fitting each from its own
        ``X_training`` if needed, so teaching it teaches them.
    query_strategy : callable, default=vote_entropy_sampling
    on_transformed : bool, default=False
    random_state : int, RandomState instance or None, default=None
        Seeds the strategies that take a ``random_state``.

    Attributes
    ----------
    learners_ : list of fitted ActiveLearner
    classes_ : ndarray, the union of the members' classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skal import ActiveLearner, Committee
    >>> X = np.arange(20.).reshape(-1, 1); y = (X[:, 0] > 9).astype(int)
    >>> committee = Committee([ActiveLearner(LogisticRegression()),
    ...                        ActiveLearner(KNeighborsClassifier(3))]).fit(X[::4], y[::4])
    >>> idx, rows = committee.query(X, n_instances=2)
    >>> committee.vote_proba(X).shape
    (20, 2, 2)
    """

    def __init__(self, learner_list, query_strategy=vote_entropy_sampling, on_transformed=False,
                 random_state=None):
        super().__init__(learner_list, query_strategy, on_transformed, random_state)

    @property
    def classes_(self):
        self._ensure_fitted()
        return np.unique(np.concatenate([np.asarray(m.classes_) for m in self.learners_]))

    def vote_proba(self, X, **predict_proba_kwargs):
        """Each member's class probabilities over the committee's ``classes_``.

        Returns
        -------
        ndarray of shape (n_samples, n_members, n_classes)
        """
        classes = self.classes_
        out = np.zeros((n_rows(X), len(self.learners_), len(classes)))
        for j, member in enumerate(self.learners_):
            columns = np.searchsorted(classes, member.classes_)
            out[:, j, columns] = member.predict_proba(X, **predict_proba_kwargs)
        return out

    def predict_proba(self, X, **predict_proba_kwargs):
        """Consensus probabilities: the members' probabilities averaged."""
        return self.vote_proba(X, **predict_proba_kwargs).mean(axis=1)

    def predict(self, X, **predict_proba_kwargs):
        """The class with the highest consensus probability."""
        return self.classes_[np.argmax(self.predict_proba(X, **predict_proba_kwargs), axis=1)]


class CommitteeRegressor(RegressorMixin, _BaseCommittee):
    """Committee of regressors; its spread drives :func:`max_std_sampling`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsRegressor
    >>> from skal import ActiveLearner, CommitteeRegressor
    >>> X = np.arange(10.).reshape(-1, 1); y = X[:, 0] ** 2
    >>> members = [ActiveLearner(KNeighborsRegressor(k)) for k in (1, 3)]
    >>> mean, std = CommitteeRegressor(members).fit(X, y).predict(X, return_std=True)
    >>> std.shape
    (10,)
    """

    def __init__(self, learner_list, query_strategy=max_std_sampling, on_transformed=False,
                 random_state=None):
        super().__init__(learner_list, query_strategy, on_transformed, random_state)

    def predict(self, X, return_std=False, **predict_kwargs):
        """Mean of the members' predictions, and their standard deviation if asked."""
        votes = self.vote(X, **predict_kwargs).astype(float)
        mean = votes.mean(axis=1)
        return (mean, votes.std(axis=1)) if return_std else mean
