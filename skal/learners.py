"""Active learners: ActiveLearner here; Committee and CommitteeRegressor in :mod:`skal.committees`.

They are scikit-learn meta-estimators with modAL's names and call shapes:
``__init__`` only stores parameters, ``fit`` fits a clone of the wrapped
estimator, ``teach`` adds labelled rows and refits, and ``query`` asks the
query strategy which pool rows to label next. ``from skal.learners import
Committee, CommitteeRegressor`` keeps working.
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .data import check_consistent_rows, check_labels, check_no_nan, concat_rows, n_rows, take_rows
from .query_calls import check_pool_values, random_state_kept_on_error, run_query_strategy
from .strategies.selection import check_score_rows
from .strategies.uncertainty import uncertainty_sampling
from .targets import adopted_binarizer, encode_like, encode_targets, fit_per_label, positive_proba

__all__ = ["ActiveLearner", "Committee", "CommitteeRegressor"]


# ------------------------------------------------------------------ labels
def as_labels(y):
    """``y`` as a numpy array; missing or mixed-type labels raise (:func:`skal.data.check_labels`)."""
    return check_labels(y)


def _unlabelled_mask(y):
    """Rows marked unlabelled by scikit-learn's semi-supervised convention (``y == -1``)."""
    if y.ndim == 1 and y.dtype.kind in "iuf":
        return y == -1
    return np.zeros(y.shape[0], dtype=bool)


def _check_classes(y, what):
    if y.ndim != 1:
        return
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{what} holds one class only ({classes[0]!r}); a classifier needs at least two. "
            "Label at least one row of another class (rows labelled -1 count as unlabelled)."
        )


def _check_known_labels(y, classes):
    """Refuse labels outside ``classes`` (for callers that cannot refit, e.g. pseudo-labelling)."""
    unseen = np.setdiff1d(np.unique(y), np.asarray(classes))
    if unseen.size:
        raise ValueError(
            f"Labels {unseen.tolist()} were never seen by the model, which knows "
            f"{np.asarray(classes).tolist()}. Refit with fit() on data that contains them."
        )


def _warm_start(estimator):
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    return bool(params.get("warm_start"))


def check_new_labels(estimator, y, classes, only_new):
    """Refuse labels new to a fitted model only where it cannot learn new classes.

    A fresh refit on all labelled data (``teach``'s default) learns them and
    ``classes_`` grows, as in modAL. ``partial_fit`` (``only_new=True``) and a
    model refitted in place under ``warm_start=True`` cannot add classes.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal.learners import check_new_labels
    >>> check_new_labels(SGDClassifier(), [0, 2], [0, 1], only_new=False)
    >>> check_new_labels(SGDClassifier(), [0, 2], [0, 1], only_new=True)
    Traceback (most recent call last):
    ...
    ValueError: Labels [2] are new to the model, which knows [0, 1]; teach(..., only_new=True) updates it with partial_fit, which cannot add classes. Teach them with only_new=False (a refit on all labelled data) or call fit().
    """
    y = np.asarray(y)
    if y.ndim != 1:
        return
    unseen = np.setdiff1d(np.unique(y), np.asarray(classes))
    if not unseen.size:
        return
    known = np.asarray(classes).tolist()
    if only_new and hasattr(estimator, "partial_fit"):
        raise ValueError(
            f"Labels {unseen.tolist()} are new to the model, which knows {known}; teach(..., only_new=True) "
            "updates it with partial_fit, which cannot add classes. Teach them with only_new=False "
            "(a refit on all labelled data) or call fit()."
        )
    if _warm_start(estimator):
        raise ValueError(
            f"Labels {unseen.tolist()} are new to the model, which knows {known}; "
            f"{type(estimator).__name__}(warm_start=True) is refitted in place and cannot add classes. "
            "Set warm_start=False so that teach refits a fresh model, or call fit() on all labelled data."
        )


# ------------------------------------------------------------ fit kwargs
def split_fit_params(fit_kwargs, n):
    """Split ``fit`` keyword arguments into row-aligned ones (length ``n``, e.g. ``sample_weight``) and the rest.

    Examples
    --------
    >>> from skal.learners import split_fit_params
    >>> split_fit_params({"sample_weight": [1, 2], "epochs": 3}, 2)
    ({'sample_weight': array([1, 2])}, {'epochs': 3})
    """
    rows, other = {}, {}
    for key, value in fit_kwargs.items():
        aligned = False
        if value is not None and not isinstance(value, (str, bytes, dict)) and hasattr(value, "__len__"):
            try:
                aligned = n_rows(value) == n
            except (ValueError, TypeError):
                aligned = False
        if aligned:
            rows[key] = value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)
        else:
            other[key] = value
    return rows, other


def _extend_row_params(old, new, n_old, n_new):
    """Row-aligned fit params for old + new rows; ``sample_weight`` missing on one side is 1."""
    if n_old == 0 or old is None:
        return dict(new)
    out = {}
    for key in set(old) | set(new):
        if key in old and key in new:
            out[key] = np.concatenate([old[key], new[key]])
        elif key == "sample_weight":
            out[key] = np.concatenate([old.get(key, np.ones(n_old)), new.get(key, np.ones(n_new))])
        else:
            given, missing = ("new", "earlier") if key in new else ("earlier", "new")
            raise ValueError(
                f"{key} was given for the {given} rows but not for the {missing} ones; "
                f"pass {key} for every labelled row (to fit() and to each teach())."
            )
    return out


def _take_params(params, rows):
    return {key: value[rows] for key, value in params.items()}


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


wrapper_tags = _wrapper_tags
_as_labels = as_labels


def _is_fitted(estimator):
    if hasattr(estimator, "ensure_fitted"):  # a skal Committee or learner with its own data
        return estimator.ensure_fitted(required=False)
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _first(out):
    return out[0] if isinstance(out, tuple) else out


class ActiveLearner(MetaEstimatorMixin, BaseEstimator):
    """Pool-based active learner around any scikit-learn estimator.

    A drop-in for ``modAL.models.ActiveLearner`` that is also a real
    scikit-learn meta-estimator: it clones, grid-searches, cross-validates and
    sits as the last step of a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    estimator : estimator object
        The model to train: any scikit-learn estimator, a pipeline, a
        :class:`skal.Committee` or :class:`skal.TransformerClassifier`. It is
        cloned in :meth:`fit`.
    query_strategy : callable, default=uncertainty_sampling
        ``strategy(learner, X_pool, n_instances=1, **kwargs) -> (indices, scores)``.
        Strategies written for modAL (returning ``(indices, scores)`` or bare
        indices, with or without an ``n_instances`` argument) are accepted too.
        A strategy with a ``random_state`` argument receives one drawn from
        this learner's ``random_state``.
    X_training, y_training : array-like, default=None
        Initial labelled data, modAL-style: when given, the learner fits on
        them at first use (``query``, ``predict``, ``teach``...) so it is usable
        without calling :meth:`fit`.
    bootstrap_init : bool, default=False
        Fit on a bootstrap resample of the training data (as modAL does for
        committee members).
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

    A learner with no training data can be queried (modAL's cold start): its
    strategy sees a model that is not fitted and scores neutrally.

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
    def fit(self, X, y, bootstrap=False, **fit_kwargs):
        """Fit a clone of ``estimator`` on ``(X, y)``, replacing the training data.

        For classifiers, rows labelled ``-1`` are unlabelled and skipped.

        Parameters
        ----------
        X, y : the labelled rows.
        bootstrap : bool, default=False
            Fit on a bootstrap resample (so does ``bootstrap_init=True``).
        **fit_kwargs : passed to the estimator's ``fit``. Those with one value
            per row (``sample_weight``) follow the rows (dropped, resampled)
            and are kept for later refits.

        Returns
        -------
        self : ActiveLearner

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
        >>> ActiveLearner(LogisticRegression()).fit(X, y, sample_weight=[1, 1, 2, 2]).classes_
        array([0, 1])
        """
        if self.estimator is None:
            raise ValueError("ActiveLearner needs an estimator, got estimator=None.")
        if y is None:
            raise ValueError(
                "ActiveLearner requires y to be passed, but the target y is None."
            )
        check_consistent_rows(X, y)
        y, binarizer = encode_targets(y)  # a multi-label y becomes a 0/1 matrix (skal.targets)
        row_params, other = split_fit_params(fit_kwargs, n_rows(X))
        if is_classifier(self.estimator):
            unlabelled = _unlabelled_mask(y)
            if unlabelled.any():
                keep = np.flatnonzero(~unlabelled)
                X, y, row_params = take_rows(X, keep), y[keep], _take_params(row_params, keep)
        if n_rows(X) == 0:
            raise ValueError("There are no labelled rows to fit on (every label is -1 or y is empty).")
        if is_classifier(self.estimator) and binarizer is None:
            _check_classes(y, "The labelled data")
        check_no_nan(X, self.estimator)
        rng = check_random_state(self.random_state)
        estimator = self._fit_model(clone(self.estimator), X, y, bootstrap or self.bootstrap_init, rng,
                                    row_params, other, binarizer)
        self._rng = rng
        self.estimator_, self.X_training_, self.y_training_ = estimator, X, y
        self._row_params = row_params
        self.label_binarizer_ = binarizer
        return self

    def teach(self, X, y, bootstrap=False, only_new=False, **fit_kwargs):
        """Add labelled rows and refit.

        A label the model never saw is learned: the refit on all labelled
        data grows ``classes_``. Only a model updated in place
        (``only_new=True`` with ``partial_fit``, or ``warm_start=True``)
        refuses new labels, saying so.

        Parameters
        ----------
        X, y : the newly labelled rows and their labels.
        bootstrap : bool, default=False
            Refit on a bootstrap resample of all training data.
        only_new : bool, default=False
            Train on the new rows only: ``partial_fit`` when the estimator has
            it, else ``fit`` (the way modAL does), keeping the old rows in
            ``X_training_`` all the same.
        **fit_kwargs : passed to the estimator's ``fit``; ``sample_weight``
            for the new rows extends the stored weights (1 for rows without).

        Returns
        -------
        self : ActiveLearner

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
        >>> learner = ActiveLearner(LogisticRegression()).fit(X, y)
        >>> learner.teach([[9.]], [2]).classes_
        array([0, 1, 2])
        """
        check_consistent_rows(X, y)
        if not self.ensure_fitted(required=False):
            return self.fit(X, y, bootstrap=bootstrap, **fit_kwargs)
        y = encode_like(y, self._binarizer())
        if is_classifier(self.estimator_) and self._binarizer() is None:
            check_new_labels(self.estimator_, y, self.classes_, only_new)
        with random_state_kept_on_error(self._rng):
            state = self._teach_state(X, y, bootstrap, only_new, fit_kwargs)
        self._set_state(state)
        return self

    def _teach_state(self, X, y, bootstrap, only_new, fit_kwargs, copy_in_place=False):
        """Fit for ``teach`` and return the new state, without changing this learner.

        Under ``copy_in_place`` a model updated in place (``partial_fit``,
        ``warm_start``) is updated on a deep copy, so nothing changes if a
        later step fails (Committee.teach is all-or-nothing).
        """
        check_no_nan(X, self.estimator_)
        n_new = n_rows(X)
        n_old = 0 if self.X_training_ is None else n_rows(self.X_training_)
        new_params, other = split_fit_params(fit_kwargs, n_new)
        X_all = concat_rows(self.X_training_, X)
        y_all = y if self.y_training_ is None else np.concatenate([self.y_training_, y])
        all_params = _extend_row_params(getattr(self, "_row_params", None), new_params, n_old, n_new)
        if hasattr(self.estimator_, "learners_") and hasattr(self.estimator_, "teach"):
            # a skal Committee as the model: it keeps its members' data and teaches them (all or nothing)
            estimator = copy.deepcopy(self.estimator_) if copy_in_place else self.estimator_
            estimator.teach(X, y, bootstrap=bootstrap, only_new=only_new, **fit_kwargs)
        elif only_new and hasattr(self.estimator_, "partial_fit"):
            estimator = copy.deepcopy(self.estimator_) if copy_in_place else self.estimator_
            estimator.partial_fit(X, y, **new_params, **other)
        elif only_new:
            estimator = self._fit_model(self._refit_target(copy_in_place), X, y, bootstrap, self._rng,
                                        new_params, other, self._binarizer())
        else:
            estimator = self._fit_model(self._refit_target(copy_in_place), X_all, y_all, bootstrap, self._rng,
                                        all_params, other, self._binarizer())
        return estimator, X_all, y_all, all_params

    def _set_state(self, state):
        self.estimator_, self.X_training_, self.y_training_, self._row_params = state

    def _refit_state(self, bootstrap, fit_kwargs, copy_in_place=False):
        """A refit on the known training data (``Committee.rebag``), as a new state."""
        self.ensure_fitted()
        state = (self.estimator_, self.X_training_, self.y_training_, getattr(self, "_row_params", {}))
        if self.X_training_ is None:
            return state
        row_params, other = split_fit_params(fit_kwargs, n_rows(self.X_training_))
        params = {**state[3], **row_params}
        estimator = self._fit_model(self._refit_target(copy_in_place), self.X_training_, self.y_training_,
                                    bootstrap, self._rng, params, other, self._binarizer())
        return estimator, self.X_training_, self.y_training_, state[3]

    def _refit_target(self, copy_in_place=False):
        """The model to refit: the fitted one under warm_start, else a fresh clone."""
        if _warm_start(self.estimator_):
            return copy.deepcopy(self.estimator_) if copy_in_place else self.estimator_
        return clone(self.estimator)

    @staticmethod
    def _fit_model(estimator, X, y, bootstrap, rng, row_params=None, other=None, binarizer=None):
        row_params, other = row_params or {}, other or {}
        if bootstrap:
            rows = rng.choice(n_rows(X), size=n_rows(X), replace=True)
            X, y, row_params = take_rows(X, rows), y[rows], _take_params(row_params, rows)
        return fit_per_label(estimator, X, y, binarizer, **row_params, **other)

    def _binarizer(self):
        """The fitted ``MultiLabelBinarizer`` of a multi-label learner, None for a single-label one.

        (Learners pickled before multi-label support have no ``label_binarizer_``.)
        """
        return getattr(self, "label_binarizer_", None)

    def ensure_fitted(self, required=True):
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
            # modAL users hand over an already fitted model (or a committee) and query at once.
            self._rng = check_random_state(self.random_state)
            self.estimator_, self.X_training_, self.y_training_ = self.estimator, None, None
            self._row_params = {}
            self.label_binarizer_ = adopted_binarizer(self.estimator)
            return True
        if required:
            raise NotFittedError(
                "This ActiveLearner is not fitted yet: call fit(X, y) or teach(X, y), "
                "or pass X_training and y_training."
            )
        return False

    def _query_rng(self):
        if not hasattr(self, "_rng"):  # a cold learner queried before any fit
            self._rng = check_random_state(self.random_state)
        return self._rng

    # -------------------------------------------------------------- querying
    def query(self, X_pool, n_instances=None, return_metrics=False, **query_kwargs):
        """Ask the query strategy for the pool rows to label next.

        A learner without training data can be queried too (modAL's cold
        start). A query that fails (empty pool, NaN, wrong width, texts where
        vectors are needed) changes nothing, the random state included.

        Parameters
        ----------
        X_pool : array-like, sparse matrix, list of strings or DataFrame
        n_instances : int, default=None
            How many rows to pick; None lets the strategy use its own default
            (1 for most, 20 for ``uncertainty_batch_sampling``, or what a
            ``functools.partial`` fixed).
        return_metrics : bool, default=False
            Also return the strategy's scores of the selected rows.
        **query_kwargs : passed to the query strategy.

        Returns
        -------
        indices : ndarray of pool positions, most informative first
        rows : the selected rows of ``X_pool``, as the same container type
        scores : ndarray, only when ``return_metrics=True``

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner
        >>> X = np.arange(10.).reshape(-1, 1)
        >>> ActiveLearner(KNeighborsClassifier(3)).query(X)[0]  # cold start
        array([0])
        """
        self.ensure_fitted(required=False)
        check_pool_values(X_pool, self.estimator)
        indices, metrics = run_query_strategy(
            self.query_strategy, self, X_pool, n_instances, self._query_rng(), query_kwargs
        )
        rows = take_rows(X_pool, indices)
        return (indices, rows, metrics) if return_metrics else (indices, rows)

    # ------------------------------------------------------------ prediction
    def _checked(self, method, X, kwargs):
        self.ensure_fitted()
        out = getattr(self.estimator_, method)(X, **kwargs)
        check_score_rows(_first(out), X, f"{type(self.estimator_).__name__}.{method}")
        return out

    def predict(self, X, **predict_kwargs):
        """Predict with the fitted model.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1]).predict([[0.9]])
        array([1])
        """
        return self._checked("predict", X, predict_kwargs)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "predict_proba"))
    def predict_proba(self, X, **predict_proba_kwargs):
        """Class probabilities of the fitted model, one row per row of ``X``.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1]).predict_proba([[0.5]]).shape
        (1, 2)

        A multi-label model's probabilities come as (n_samples, n_labels), one
        column per label of ``classes_``, whatever form the model returns
        (:func:`skal.targets.positive_proba`).
        """
        self.ensure_fitted()
        if self._binarizer() is None:
            return self._checked("predict_proba", X, predict_proba_kwargs)
        proba = positive_proba(self.estimator_.predict_proba(X, **predict_proba_kwargs), self.estimator_.classes_)
        check_score_rows(proba, X, f"{type(self.estimator_).__name__}.predict_proba")
        return proba

    def score(self, X, y, **score_kwargs):
        """The fitted model's own ``score`` (accuracy for classifiers, R² for regressors).

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1]).score([[0.], [1.]], [0, 1])
        1.0
        """
        self.ensure_fitted()
        return self.estimator_.score(X, y, **score_kwargs)

    def transform_without_estimating(self, X):
        """``X`` as the last step of a pipeline sees it; ``X`` itself otherwise.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(make_pipeline(StandardScaler(), LogisticRegression()))
        >>> learner.fit([[0.], [2.]], [0, 1]).transform_without_estimating([[1.]])
        array([[0.]])
        """
        self.ensure_fitted()
        if isinstance(self.estimator_, Pipeline) and len(self.estimator_) > 1:
            out = self.estimator_[:-1].transform(X)
            check_score_rows(out, X, "The pipeline's transform")
            return out
        if hasattr(self.estimator_, "learners_") and hasattr(self.estimator_, "transform_without_estimating"):
            return self.estimator_.transform_without_estimating(X)
        return X

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "embed"))
    def embed(self, X):
        """The wrapped model's ``embed`` (e.g. a transformer's pooled representation)."""
        return self._checked("embed", X, {})

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "predict_proba_mc"))
    def predict_proba_mc(self, X, **kwargs):
        """The wrapped model's MC-dropout probabilities, shape (n, mc_samples, n_classes)."""
        return self._checked("predict_proba_mc", X, kwargs)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "gradient_embedding"))
    def gradient_embedding(self, X):
        """The wrapped model's last-layer gradient embedding (BADGE)."""
        return self._checked("gradient_embedding", X, {})

    @property
    def classes_(self):
        self.ensure_fitted()
        if self._binarizer() is not None:  # multi-label: the label names
            return self._binarizer().classes_
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        check_is_fitted(self, "estimator_")
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        check_is_fitted(self, "estimator_")
        return self.estimator_.feature_names_in_


from .committees import Committee, CommitteeRegressor  # noqa: E402  (they build on ActiveLearner)
