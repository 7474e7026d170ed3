"""Query by committee: Committee (classifiers) and CommitteeRegressor.

Both are scikit-learn meta-estimators over :class:`skal.ActiveLearner`
members with modAL's call shapes. Teaching is all-or-nothing: every member
is refitted first, and only when all succeeded do they take the new data, so
the members never hold different labelled sets.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state, get_tags

from .data import check_consistent_rows, n_rows
from .estimator_repr import short_repr
from .learners import QUERY_STRATEGY_CONSTRAINT, ActiveLearner
from .query_calls import query_pool
from .strategies.committee import max_std_sampling, vote_entropy_sampling
from .strategies.representation import committee_members
from .targets import committee_binarizer, encode_like

__all__ = ["Committee", "CommitteeRegressor"]


class _BaseCommittee(MetaEstimatorMixin, BaseEstimator):
    """What Committee and CommitteeRegressor share: members, teaching, querying."""

    _parameter_constraints: dict = {
        "learner_list": [list, tuple],
        "query_strategy": QUERY_STRATEGY_CONSTRAINT,
        "on_transformed": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, learner_list, query_strategy, on_transformed=False, random_state=None):
        self.learner_list = learner_list
        self.query_strategy = query_strategy
        self.on_transformed = on_transformed
        self.random_state = random_state

    def __len__(self):
        return len(committee_members(self))

    def __iter__(self):
        return iter(committee_members(self))

    def __sklearn_is_fitted__(self):
        # fitted, or adopting members that are all fitted already; members that would fit lazily are not, yet
        return hasattr(self, "learners_") or (
            bool(self.learner_list) and all(isinstance(m, ActiveLearner) and m.__sklearn_is_fitted__()
                                            for m in self.learner_list))

    def __repr__(self, N_CHAR_MAX=700):
        return short_repr(self, N_CHAR_MAX)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        first = self.learner_list[0] if self.learner_list else None
        if isinstance(first, ActiveLearner) and first.estimator is not None:
            inner = get_tags(first)  # the members' inputs and targets; the committee's own type stays
            tags.input_tags = inner.input_tags
            tags.target_tags = inner.target_tags
        return tags

    @property
    def n_features_in_(self):
        """Number of features the members saw; never fits."""
        members = committee_members(self)
        if not members:
            raise NotFittedError("This committee has no members: give it a non-empty learner_list.")
        return members[0].n_features_in_

    def _check_learner_list(self):
        if not self.learner_list:
            raise ValueError("A committee needs a non-empty learner_list.")
        for member in self.learner_list:
            if not isinstance(member, ActiveLearner):
                raise ValueError(
                    f"Committee members must be ActiveLearner instances, got {type(member).__name__}; "
                    "wrap it as ActiveLearner(estimator)."
                )

    def fit(self, X, y, bootstrap=False, **fit_kwargs):
        """Fit a clone of every member on ``(X, y)``.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The labelled rows.
        y : array-like
            Their labels.
        bootstrap : bool, default=False
            Fit each member on its own bootstrap resample (bagging, as modAL).
        **fit_kwargs : dict
            Passed to the members' ``fit``.

        Returns
        -------
        self : Committee or CommitteeRegressor
            The fitted committee.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(20.).reshape(-1, 1); y = (X[:, 0] > 9).astype(int)
        >>> committee = Committee([ActiveLearner(KNeighborsClassifier(3), random_state=s) for s in (0, 1)])
        >>> len(committee.fit(X, y, bootstrap=True))
        2
        """
        self._validate_params()
        self._check_learner_list()
        learners = [clone(member).fit(X, y, bootstrap=bootstrap, **fit_kwargs) for member in self.learner_list]
        self.learners_ = learners
        self._rng = check_random_state(self.random_state)
        return self

    def ensure_fitted(self, required=True):
        """Adopt the members as given (modAL semantics) when fit was never called.

        Members built with ``X_training`` are fitted on it here; the methods
        that need the members' models (``query``, ``predict``, ``vote``,
        ``teach``...) call it, reading ``classes_`` never does.

        Parameters
        ----------
        required : bool, default=True
            Raise when a member has nothing to fit on; else return False.

        Returns
        -------
        fitted : bool
            Whether the committee is fitted now.

        Raises
        ------
        NotFittedError
            When ``required`` and some member is not fitted and has no training data.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner, Committee
        >>> member = ActiveLearner(LogisticRegression(), X_training=[[0.], [1.]], y_training=[0, 1])
        >>> Committee([member]).ensure_fitted()
        True
        """
        if hasattr(self, "learners_"):
            return True
        self._validate_params()
        self._check_learner_list()
        ready = [m.ensure_fitted(required=False) for m in self.learner_list]
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

    def _query_rng(self):
        if not hasattr(self, "_rng"):
            self._rng = check_random_state(self.random_state)
        return self._rng

    def _commit_all(self, prepare):
        """Prepare every member's update first, then commit them all: a failure changes no member."""
        updates = [prepare(member) for member in self.learners_]
        for member, update in zip(self.learners_, updates, strict=True):
            member.commit(update)
        return self

    def teach(self, X, y, bootstrap=False, only_new=False, **fit_kwargs):
        """Teach every member the new rows (see :meth:`ActiveLearner.teach`), all or nothing.

        New labels are learned by every member. If one member's refit fails,
        no member changes (models updated in place are updated on copies).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The newly labelled rows.
        y : array-like
            Their labels.
        bootstrap : bool, default=False
            Refit each member on a bootstrap resample.
        only_new : bool, default=False
            Train on the new rows only (``partial_fit`` where available).
        **fit_kwargs : dict
            Passed to the members' ``fit``.

        Returns
        -------
        self : Committee or CommitteeRegressor
            The committee, its members refitted.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(8.).reshape(-1, 1); y = (X[:, 0] > 3).astype(int)
        >>> committee = Committee([ActiveLearner(LogisticRegression())] * 2).fit(X, y)
        >>> committee.teach([[20.]], [2]).classes_
        array([0, 1, 2])
        """
        self._validate_params()
        check_consistent_rows(X, y)
        if not self.ensure_fitted(required=False):
            return self.fit(X, y, bootstrap=bootstrap, **fit_kwargs)
        y = encode_like(y, committee_binarizer(self))  # members share one label space
        return self._commit_all(lambda member: member.prepare_teach(X, y, bootstrap=bootstrap, only_new=only_new,
                                                                    **fit_kwargs))

    def rebag(self, **fit_kwargs):
        """Refit every member on a bootstrap resample of its own training data (all or nothing).

        Parameters
        ----------
        **fit_kwargs : dict
            Passed to the members' ``fit``.

        Returns
        -------
        self : Committee or CommitteeRegressor
            The committee, its members refitted.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(20.).reshape(-1, 1); y = (X[:, 0] > 9).astype(int)
        >>> committee = Committee([ActiveLearner(KNeighborsClassifier(3))] * 2).fit(X, y)
        >>> len(committee.rebag())
        2
        """
        self._validate_params()
        self.ensure_fitted()
        return self._commit_all(lambda member: member.prepare_refit(bootstrap=True, **fit_kwargs))

    def query(self, X_pool, n_instances=None, return_metrics=False, **query_kwargs):
        """Ask the query strategy for the pool rows to label next (as :meth:`ActiveLearner.query`).

        Parameters
        ----------
        X_pool : array-like, sparse matrix, list of strings or DataFrame
            The unlabelled rows to choose from.
        n_instances : int, default=None
            How many rows to pick; None lets the strategy use its own default.
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
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(20.).reshape(-1, 1); y = (X[:, 0] > 9).astype(int)
        >>> committee = Committee([ActiveLearner(KNeighborsClassifier(k)) for k in (1, 5)]).fit(X[::3], y[::3])
        >>> committee.query(X, n_instances=2)[0].shape
        (2,)
        """
        self.ensure_fitted(required=False)
        return query_pool(self, X_pool, n_instances, return_metrics, query_kwargs, self._query_rng())

    def vote(self, X, **predict_kwargs):
        """Each member's prediction, shape (n_samples, n_members) ((n_samples, n_outputs, n_members) multi-output).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to predict.
        **predict_kwargs : dict
            Passed to each member's ``predict``.

        Returns
        -------
        votes : ndarray of shape (n_samples, n_members)
            One column per member (members last for multi-output predictions).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(6.).reshape(-1, 1); y = np.array([0, 0, 0, 1, 1, 1])
        >>> Committee([ActiveLearner(KNeighborsClassifier(1))] * 2).fit(X, y).vote(X[:2])
        array([[0, 0],
               [0, 0]])
        """
        self.ensure_fitted()
        return np.stack([m.predict(X, **predict_kwargs) for m in self.learners_], axis=-1)

    def transform_without_estimating(self, X):
        """The members' pipeline transforms of ``X``, side by side (as modAL).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to transform.

        Returns
        -------
        X_transformed : array-like
            The members' transforms stacked column-wise, or ``X`` when no member has a pipeline.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from skal import ActiveLearner, Committee
        >>> members = [ActiveLearner(make_pipeline(StandardScaler(), LogisticRegression()))] * 2
        >>> Committee(members).fit([[0.], [2.]], [0, 1]).transform_without_estimating([[1.]])
        array([[0., 0.]])
        """
        self.ensure_fitted()
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
    query_strategy : callable or str, default=vote_entropy_sampling
        The committee strategy, or its registered name (``"vote_entropy"``).
    on_transformed : bool, default=False
        Tells representation-based strategies to work on the members'
        pipeline transforms (:meth:`transform_without_estimating`).
    random_state : int, RandomState instance or None, default=None
        Seeds the strategies that take a ``random_state``.

    Attributes
    ----------
    learners_ : list of fitted ActiveLearner
        The members.
    classes_ : ndarray
        The union of the members' classes.

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
        """The union of the members' classes (their shared label names, multi-label); never fits."""
        members = committee_members(self)
        if not members:
            raise NotFittedError("This committee has no members: give it a non-empty learner_list.")
        binarizer = committee_binarizer(self)
        if binarizer is not None:  # multi-label: the members' shared label names
            return binarizer.classes_
        return np.unique(np.concatenate([np.asarray(m.classes_) for m in members]))

    def vote_proba(self, X, **predict_proba_kwargs):
        """Each member's class probabilities over the committee's ``classes_``.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score.
        **predict_proba_kwargs : dict
            Passed to each member's ``predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_members, n_classes)
            A member's probabilities are 0 for the classes it never saw.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(6.).reshape(-1, 1); y = np.array([0, 0, 0, 1, 1, 1])
        >>> Committee([ActiveLearner(KNeighborsClassifier(1))] * 3).fit(X, y).vote_proba(X).shape
        (6, 3, 2)
        """
        self.ensure_fitted()
        classes = self.classes_
        out = np.zeros((n_rows(X), len(self.learners_), len(classes)))
        multilabel = committee_binarizer(self) is not None
        for j, member in enumerate(self.learners_):
            columns = slice(None) if multilabel else np.searchsorted(classes, member.classes_)
            out[:, j, columns] = member.predict_proba(X, **predict_proba_kwargs)
        return out

    def predict_proba(self, X, **predict_proba_kwargs):
        """Consensus probabilities: the members' probabilities averaged.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score.
        **predict_proba_kwargs : dict
            Passed to each member's ``predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The consensus.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(6.).reshape(-1, 1); y = np.array([0, 0, 0, 1, 1, 1])
        >>> Committee([ActiveLearner(KNeighborsClassifier(1))] * 2).fit(X, y).predict_proba(X[:1])
        array([[1., 0.]])
        """
        return self.vote_proba(X, **predict_proba_kwargs).mean(axis=1)

    def predict(self, X, **predict_proba_kwargs):
        """The class with the highest consensus probability (multi-label: each label above 0.5).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to predict.
        **predict_proba_kwargs : dict
            Passed to each member's ``predict_proba``.

        Returns
        -------
        y_pred : ndarray
            One class per row (a 0/1 row per row, multi-label).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from skal import ActiveLearner, Committee
        >>> X = np.arange(6.).reshape(-1, 1); y = np.array([0, 0, 0, 1, 1, 1])
        >>> Committee([ActiveLearner(KNeighborsClassifier(1))] * 2).fit(X, y).predict(X[-2:])
        array([1, 1])
        """
        self.ensure_fitted()
        if committee_binarizer(self) is not None:
            return (self.predict_proba(X, **predict_proba_kwargs) > 0.5).astype(np.int64)
        return self.classes_[np.argmax(self.predict_proba(X, **predict_proba_kwargs), axis=1)]


class CommitteeRegressor(RegressorMixin, _BaseCommittee):
    """Committee of regressors; its spread drives :func:`max_std_sampling`.

    Parameters
    ----------
    learner_list : list of ActiveLearner
        The members (regressors). :meth:`fit` clones them; a committee never
        fitted adopts them as given.
    query_strategy : callable or str, default=max_std_sampling
        The committee strategy, or its registered name (``"max_std"``).
    on_transformed : bool, default=False
        Tells representation-based strategies to work on the members'
        pipeline transforms.
    random_state : int, RandomState instance or None, default=None
        Seeds the strategies that take a ``random_state``.

    Attributes
    ----------
    learners_ : list of fitted ActiveLearner
        The members.

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
        """Mean of the members' predictions, and their standard deviation if asked.

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to predict.
        return_std : bool, default=False
            Also return the members' standard deviation.
        **predict_kwargs : dict
            Passed to each member's ``predict``.

        Returns
        -------
        mean : ndarray of shape (n_samples,)
            The members' mean prediction.
        std : ndarray of shape (n_samples,)
            Only when ``return_std=True``: their spread.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skal import ActiveLearner, CommitteeRegressor
        >>> X = np.arange(4.).reshape(-1, 1)
        >>> CommitteeRegressor([ActiveLearner(LinearRegression())] * 2).fit(X, 2 * X[:, 0]).predict([[5.]])
        array([10.])
        """
        votes = self.vote(X, **predict_kwargs).astype(float)
        mean = votes.mean(axis=-1)
        return (mean, votes.std(axis=-1)) if return_std else mean
