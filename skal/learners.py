"""Active learners: ActiveLearner here; Committee and CommitteeRegressor in :mod:`skal.committees`.

They are scikit-learn meta-estimators with modAL's names and call shapes:
``__init__`` only stores parameters, ``fit`` fits a clone of the wrapped
estimator, ``teach`` adds labelled rows and refits, and ``query`` asks the
query strategy which pool rows to label next. ``from skal.learners import
Committee, CommitteeRegressor`` keeps working.

Every refit is computed first as a :class:`LearnerUpdate` (the new model,
labelled rows and random state) and then committed, so a failed fit changes
nothing; :meth:`ActiveLearner.prepare_teach`, :meth:`ActiveLearner.prepare_refit`
and :meth:`ActiveLearner.commit` expose the two steps to callers that must
update several learners all or nothing (:class:`skal.Committee`).
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state, get_tags

from .data import check_consistent_rows, check_no_nan, concat_rows, n_rows, take_rows
from .delegation import ModelDelegationMixin, is_fitted
from .estimator_repr import short_repr
from .learner_updates import (
    LearnerUpdate,
    check_new_labels,
    extend_row_params,
    fit_model,
    refit_target,
    split_fit_params,
    take_row_params,
    working_copy,
)
from .parameters import HasMethods, Hidden, StrOptions
from .query_calls import query_pool
from .strategies.registry import STRATEGIES
from .strategies.uncertainty import uncertainty_sampling
from .targets import adopted_binarizer, check_known_labels, encode_like, encode_targets

__all__ = ["ActiveLearner", "Committee", "CommitteeRegressor", "QUERY_STRATEGY_CONSTRAINT", "wrapper_tags",
           # re-exported from where they live, for the learners' callers
           "LearnerUpdate", "check_known_labels", "check_new_labels", "split_fit_params"]

#: The declared constraint of every learner's ``query_strategy``: a callable, or a name registered in
#: :mod:`skal.strategies.registry` (``"margin"``, also spelled ``"margin_sampling"``).
QUERY_STRATEGY_CONSTRAINT = [callable, StrOptions(set(STRATEGIES)),
                             Hidden(StrOptions({f"{name}_sampling" for name in STRATEGIES}))]



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


def wrapper_tags(tags, estimator):
    """Tags of a meta-estimator that predicts with ``estimator``: its type, inputs and targets.

    Parameters
    ----------
    tags : sklearn.utils.Tags
        The meta-estimator's own tags (``super().__sklearn_tags__()``).
    estimator : estimator or None
        The wrapped model; None leaves ``tags`` as they are.

    Returns
    -------
    tags : sklearn.utils.Tags
        ``tags``, updated in place with the wrapped model's type, input and target tags.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.learners import wrapper_tags
    >>> wrapper_tags(BaseEstimator().__sklearn_tags__(), LogisticRegression()).estimator_type
    'classifier'
    """
    if estimator is not None:
        inner = get_tags(estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags = inner.input_tags
        tags.target_tags = inner.target_tags
        tags.target_tags.required = True
    return tags


def _ready(estimator):
    """Whether a model handed over can be used as it is; a skal learner or committee may fit lazily here."""
    if hasattr(estimator, "ensure_fitted"):
        return estimator.ensure_fitted(required=False)
    return is_fitted(estimator)


class ActiveLearner(ModelDelegationMixin, MetaEstimatorMixin, BaseEstimator):
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
    query_strategy : callable or str, default=uncertainty_sampling
        ``strategy(learner, X_pool, n_instances=1, **kwargs) -> (indices, scores)``,
        or the name of one in :mod:`skal.strategies.registry` (``"margin"``).
        Strategies written for modAL (returning ``(indices, scores)`` or bare
        indices, with or without an ``n_instances`` argument) are accepted too.
        A strategy with a ``random_state`` argument receives one drawn from
        this learner's ``random_state``.
    X_training : array-like, default=None
        Initial labelled rows, modAL-style: when given, the learner fits on
        them at first use of a method that needs a model (``query``,
        ``predict``, ``predict_proba``, ``score``, ``teach``, or
        :meth:`ensure_fitted`), so it is usable without calling :meth:`fit`.
        Reading attributes (``classes_``) never fits.
    y_training : array-like, default=None
        The labels of ``X_training``.
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
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression(), "entropy",
    ...                         X_training=X[:10], y_training=y[:10])
    >>> learner
    ActiveLearner(X_training=array(shape=(10, 2)), estimator=LogisticRegression(), query_strategy='entropy', y_training=array(shape=(10,)))
    >>> idx, rows = learner.query(X[10:], n_instances=5)
    >>> learner.teach(rows, y[10:][idx]).y_training_.shape
    (15,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "query_strategy": QUERY_STRATEGY_CONSTRAINT,
        "X_training": ["array-like", "sparse matrix", None],
        "y_training": ["array-like", "sparse matrix", None],
        "bootstrap_init": ["boolean"],
        "on_transformed": ["boolean"],
        "random_state": ["random_state"],
    }

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
        return wrapper_tags(super().__sklearn_tags__(), self.estimator)

    def __sklearn_is_fitted__(self):
        # fitted, or adopting a model fitted already; a learner that would fit from X_training is not, yet
        return hasattr(self, "estimator_") or (self.estimator is not None and is_fitted(self.estimator))

    def __repr__(self, N_CHAR_MAX=700):
        return short_repr(self, N_CHAR_MAX)

    # --------------------------------------------------------------- fitting
    def fit(self, X, y, bootstrap=False, **fit_kwargs):
        """Fit a clone of ``estimator`` on ``(X, y)``, replacing the training data.

        For classifiers, rows labelled ``-1`` are unlabelled and skipped.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The labelled rows.
        y : array-like
            Their labels (an indicator matrix or label sets for multi-label).
        bootstrap : bool, default=False
            Fit on a bootstrap resample (so does ``bootstrap_init=True``).
        **fit_kwargs : dict
            Passed to the estimator's ``fit``. Those with one value per row
            (``sample_weight``) follow the rows (dropped, resampled) and are
            kept for later refits.

        Returns
        -------
        self : ActiveLearner
            The fitted learner.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
        >>> ActiveLearner(LogisticRegression()).fit(X, y, sample_weight=[1, 1, 2, 2]).classes_
        array([0, 1])
        """
        self._validate_params()
        return self.commit(self._prepare_fit(X, y, bootstrap, fit_kwargs))

    def _prepare_fit(self, X, y, bootstrap, fit_kwargs):
        if y is None:
            raise ValueError("ActiveLearner requires y to be passed, but the target y is None.")
        check_consistent_rows(X, y)
        y, binarizer = encode_targets(y)  # a multi-label y becomes a 0/1 matrix (skal.targets)
        row_params, other = split_fit_params(fit_kwargs, n_rows(X))
        if is_classifier(self.estimator):
            unlabelled = _unlabelled_mask(y)
            if unlabelled.any():
                keep = np.flatnonzero(~unlabelled)
                X, y, row_params = take_rows(X, keep), y[keep], take_row_params(row_params, keep)
        if n_rows(X) == 0:
            raise ValueError("There are no labelled rows to fit on (every label is -1 or y is empty).")
        if is_classifier(self.estimator) and binarizer is None:
            _check_classes(y, "The labelled data")
        check_no_nan(X, self.estimator)
        rng = check_random_state(self.random_state)
        work = working_copy(rng)
        estimator = fit_model(clone(self.estimator), X, y, bootstrap or self.bootstrap_init, work,
                               row_params, other, binarizer)
        return LearnerUpdate(self, estimator, X, y, row_params, binarizer, rng, work.get_state())

    def teach(self, X, y, bootstrap=False, only_new=False, **fit_kwargs):
        """Add labelled rows and refit; a failure changes nothing.

        A label the model never saw is learned: the refit on all labelled
        data grows ``classes_``. Only a model updated in place
        (``only_new=True`` with ``partial_fit``, or ``warm_start=True``)
        refuses new labels, saying so.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The newly labelled rows.
        y : array-like
            Their labels.
        bootstrap : bool, default=False
            Refit on a bootstrap resample of all training data.
        only_new : bool, default=False
            Train on the new rows only: ``partial_fit`` when the estimator has
            it, else ``fit`` (the way modAL does), keeping the old rows in
            ``X_training_`` all the same.
        **fit_kwargs : dict
            Passed to the estimator's ``fit``; ``sample_weight`` for the new
            rows extends the stored weights (1 for rows without).

        Returns
        -------
        self : ActiveLearner
            The learner, refitted.

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
        self._validate_params()
        check_consistent_rows(X, y)
        if not self.ensure_fitted(required=False):
            return self.fit(X, y, bootstrap=bootstrap, **fit_kwargs)
        return self.commit(self._prepare_teach(X, y, bootstrap, only_new, None, None, fit_kwargs, False))

    def prepare_teach(self, X, y, bootstrap=False, only_new=False, X_extra=None, y_extra=None, **fit_kwargs):
        """What :meth:`teach` would make of this learner, as a :class:`LearnerUpdate`; the learner is unchanged.

        A model updated in place (``partial_fit``, ``warm_start``) is updated
        on a copy. :meth:`commit` applies the update. A learner that would fit
        from ``X_training`` is fitted on it first (:meth:`ensure_fitted`).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The newly labelled rows, kept in ``X_training_``.
        y : array-like
            Their labels.
        bootstrap : bool, default=False
            Refit on a bootstrap resample.
        only_new : bool, default=False
            Train on the new rows (and the extra ones) only, as in :meth:`teach`.
        X_extra : array-like, default=None
            Rows the model is fitted on this time only, not kept as labelled
            rows (pseudo-labels); ``sample_weight`` counts them 1.
        y_extra : array-like, default=None
            The labels of ``X_extra``.
        **fit_kwargs : dict
            Passed to the estimator's ``fit``, as in :meth:`teach`.

        Returns
        -------
        update : LearnerUpdate
            The new fitted state.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1])
        >>> update = learner.prepare_teach([[2.]], [1], X_extra=[[3.]], y_extra=[1])
        >>> learner.commit(update).y_training_.tolist()
        [0, 1, 1]
        """
        self._validate_params()
        check_consistent_rows(X, y)
        if not self.ensure_fitted(required=False):
            if X_extra is not None:
                raise NotFittedError("prepare_teach with X_extra needs a fitted learner: call fit(X, y) first.")
            return self._prepare_fit(X, y, bootstrap, fit_kwargs)
        return self._prepare_teach(X, y, bootstrap, only_new, X_extra, y_extra, fit_kwargs, True)

    def _prepare_teach(self, X, y, bootstrap, only_new, X_extra, y_extra, fit_kwargs, copy_in_place):
        binarizer = self._binarizer()
        y = encode_like(y, binarizer)
        if is_classifier(self.estimator_) and binarizer is None:
            check_new_labels(self.estimator_, y, self.classes_, only_new)
        check_no_nan(X, self.estimator_)
        n_new = n_rows(X)
        n_old = 0 if self.X_training_ is None else n_rows(self.X_training_)
        new_params, other = split_fit_params(fit_kwargs, n_new)
        X_all = concat_rows(self.X_training_, X)
        y_all = y if self.y_training_ is None else np.concatenate([self.y_training_, y])
        all_params = extend_row_params(self._row_params, new_params, n_old, n_new)
        X_fit, y_fit, fit_params = (X, y, new_params) if only_new else (X_all, y_all, all_params)
        X_fit, y_fit, fit_params = self._with_extra(X_fit, y_fit, fit_params, X_extra, y_extra)
        rng = working_copy(self._rng)
        if hasattr(self.estimator_, "learners_") and hasattr(self.estimator_, "teach"):
            # a skal Committee as the model: it keeps its members' data and teaches them (all or nothing)
            if X_extra is not None:
                raise ValueError("X_extra is not supported when the model is a Committee; teach the committee.")
            estimator = copy.deepcopy(self.estimator_) if copy_in_place else self.estimator_
            estimator.teach(X, y, bootstrap=bootstrap, only_new=only_new, **fit_kwargs)
        elif only_new and hasattr(self.estimator_, "partial_fit"):
            estimator = copy.deepcopy(self.estimator_) if copy_in_place else self.estimator_
            estimator.partial_fit(X_fit, y_fit, **fit_params, **other)
        else:
            estimator = fit_model(refit_target(self.estimator, self.estimator_, copy_in_place), X_fit, y_fit, bootstrap, rng,
                                   fit_params, other, binarizer)
        return LearnerUpdate(self, estimator, X_all, y_all, all_params, binarizer, self._rng, rng.get_state())

    def _with_extra(self, X, y, params, X_extra, y_extra):
        """``(X, y, params)`` with the extra rows (pseudo-labels) appended, weighted 1."""
        if X_extra is None and y_extra is None:
            return X, y, params
        if X_extra is None or y_extra is None:
            raise ValueError("X_extra and y_extra go together: pass both or neither.")
        check_consistent_rows(X_extra, y_extra)
        y_extra = encode_like(y_extra, self._binarizer())
        check_no_nan(X_extra, self.estimator_)
        n, n_extra = (0 if X is None else n_rows(X)), n_rows(X_extra)
        params = extend_row_params(params, {}, n, n_extra)
        if X is None:
            return X_extra, y_extra, params
        return concat_rows(X, X_extra), np.concatenate([y, y_extra]), params

    def prepare_refit(self, bootstrap=False, X_extra=None, y_extra=None, **fit_kwargs):
        """A refit on the labelled rows (plus extra ones), as a :class:`LearnerUpdate`; the learner is unchanged.

        Parameters
        ----------
        bootstrap : bool, default=False
            Refit on a bootstrap resample of the labelled rows (``Committee.rebag``).
        X_extra : array-like, default=None
            Rows the model is fitted on this time only (pseudo-labels).
        y_extra : array-like, default=None
            The labels of ``X_extra``.
        **fit_kwargs : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        update : LearnerUpdate
            The new fitted state; :meth:`commit` applies it.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1])
        >>> learner.prepare_refit(X_extra=[[5.]], y_extra=[1]).y_training.tolist()
        [0, 1]
        """
        self._validate_params()
        self.ensure_fitted()
        rng = working_copy(self._rng)
        binarizer = self._binarizer()
        if self.X_training_ is None and X_extra is None:  # an adopted model without data: nothing to refit on
            return LearnerUpdate(self, self.estimator_, None, None, self._row_params, binarizer, self._rng,
                                 rng.get_state())
        X, y, params = self.X_training_, self.y_training_, dict(self._row_params)
        if X is not None:
            row_params, other = split_fit_params(fit_kwargs, n_rows(X))
            params.update(row_params)
        else:
            other = dict(fit_kwargs)
        X, y, params = self._with_extra(X, y, params, X_extra, y_extra)
        estimator = fit_model(refit_target(self.estimator, self.estimator_, True), X, y, bootstrap, rng, params, other, binarizer)
        return LearnerUpdate(self, estimator, self.X_training_, self.y_training_, self._row_params, binarizer,
                             self._rng, rng.get_state())

    def refit(self, X_extra=None, y_extra=None, bootstrap=False, **fit_kwargs):
        """Refit the model on the labelled rows plus, this time only, extra rows (pseudo-labels).

        ``X_training_``/``y_training_`` stay the labelled rows; only the
        fitted model sees the extra ones. A failure changes nothing.

        Parameters
        ----------
        X_extra : array-like, default=None
            Rows to fit on as well, not kept (e.g. pseudo-labelled pool rows).
        y_extra : array-like, default=None
            The labels of ``X_extra``.
        bootstrap : bool, default=False
            Refit on a bootstrap resample.
        **fit_kwargs : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : ActiveLearner
            The learner, refitted.

        Examples
        --------
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(KNeighborsClassifier(1)).fit([[0.], [1.]], [0, 1])
        >>> learner.refit(X_extra=[[5.]], y_extra=[0]).predict([[4.]]), learner.y_training_.shape
        (array([0]), (2,))
        """
        return self.commit(self.prepare_refit(bootstrap, X_extra, y_extra, **fit_kwargs))

    def commit(self, update):
        """Apply a :class:`LearnerUpdate` prepared by this learner: its model, labelled rows and random state.

        Parameters
        ----------
        update : LearnerUpdate
            From :meth:`prepare_teach` or :meth:`prepare_refit` of this learner.

        Returns
        -------
        self : ActiveLearner
            The learner in its new state.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1])
        >>> len(learner.commit(learner.prepare_teach([[3.]], [1])).X_training_)
        3
        """
        if update.learner is not self:
            raise ValueError("This LearnerUpdate was prepared by another learner; commit it to that one.")
        update.rng.set_state(update.rng_state)
        self._rng = update.rng
        self.estimator_, self.X_training_, self.y_training_ = update.estimator, update.X_training, update.y_training
        self._row_params = update.row_params
        self.label_binarizer_ = update.binarizer
        return self

    def _binarizer(self):
        """The fitted ``MultiLabelBinarizer`` of a multi-label learner, None for a single-label one.

        (Learners pickled before multi-label support have no ``label_binarizer_``.)
        """
        return getattr(self, "label_binarizer_", None)

    def ensure_fitted(self, required=True):
        """Fit lazily from ``X_training``/``y_training`` (modAL's constructor semantics).

        The methods that need a model (``query``, ``predict``,
        ``predict_proba``, ``score``, ``teach``) call it; reading an attribute
        such as ``classes_`` never does. A learner around a model fitted
        already adopts it as it is.

        Parameters
        ----------
        required : bool, default=True
            Raise when there is nothing to fit on; else return False.

        Returns
        -------
        fitted : bool
            Whether the learner is fitted now.

        Raises
        ------
        NotFittedError
            When ``required`` and the learner has no model and no training data.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> learner = ActiveLearner(LogisticRegression(), X_training=[[0.], [1.]], y_training=[0, 1])
        >>> hasattr(learner, "estimator_"), learner.ensure_fitted(), hasattr(learner, "estimator_")
        (False, True, True)
        >>> ActiveLearner(LogisticRegression()).ensure_fitted(required=False)
        False
        """
        if hasattr(self, "estimator_"):
            return True
        if self.X_training is not None:
            self.fit(self.X_training, self.y_training)
            return True
        if self.estimator is not None and _ready(self.estimator):
            # modAL users hand over an already fitted model (or a committee) and query at once.
            rng = check_random_state(self.random_state)
            self.commit(LearnerUpdate(self, self.estimator, None, None, {}, adopted_binarizer(self.estimator),
                                      rng, rng.get_state()))
            return True
        if required:
            raise NotFittedError(
                "This ActiveLearner is not fitted yet: call fit(X, y) or teach(X, y), "
                "or pass X_training and y_training."
            )
        return False

    @property
    def classes_(self):
        """Class labels of the model (label names for a multi-label learner); never fits.

        A learner that would fit from ``X_training`` answers from
        ``y_training``: the classes a fit would find there.
        """
        if not self.__sklearn_is_fitted__() and self.y_training is not None and is_classifier(self.estimator):
            y, binarizer = encode_targets(self.y_training)
            if binarizer is not None:
                return binarizer.classes_
            return np.unique(y[~_unlabelled_mask(y)])
        model, binarizer = self._fitted()
        if binarizer is not None:  # multi-label: the label names
            return binarizer.classes_
        return model.classes_

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
            The unlabelled rows to choose from.
        n_instances : int, default=None
            How many rows to pick; None lets the strategy use its own default
            (1 for most, 20 for ``uncertainty_batch_sampling``, or what a
            ``functools.partial`` fixed).
        return_metrics : bool, default=False
            Also return the strategy's scores of the selected rows.
        **query_kwargs : dict
            Passed to the query strategy.

        Returns
        -------
        indices : ndarray of int
            Pool positions, most informative first.
        rows : array-like
            The selected rows of ``X_pool``, as the same container type.
        scores : ndarray
            Only when ``return_metrics=True``.

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
        return query_pool(self, X_pool, n_instances, return_metrics, query_kwargs, self._query_rng())


from .committees import Committee, CommitteeRegressor  # noqa: E402  (they build on ActiveLearner)
