"""Query by committee: Committee (classifiers) and CommitteeRegressor.

Both are scikit-learn meta-estimators over :class:`skal.ActiveLearner`
members with modAL's call shapes. Teaching is all-or-nothing: every member
is refitted first, and only when all succeeded do they take the new data, so
the members never hold different labelled sets.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state

from .data import check_consistent_rows, check_no_nan, n_rows, take_rows
from .learners import ActiveLearner, check_new_labels
from .targets import committee_binarizer, encode_like
from .query_calls import check_pool_values, random_state_kept_on_error, run_query_strategy
from .strategies.committee import max_std_sampling, vote_entropy_sampling

__all__ = ["Committee", "CommitteeRegressor"]


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

    def fit(self, X, y, bootstrap=False, **fit_kwargs):
        """Fit a clone of every member on ``(X, y)``.

        Parameters
        ----------
        X, y : the labelled rows.
        bootstrap : bool, default=False
            Fit each member on its own bootstrap resample (bagging, as modAL).
        **fit_kwargs : passed to the members' ``fit``.

        Returns
        -------
        self

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
        self._check_learner_list()
        self.learners_ = [clone(member).fit(X, y, bootstrap=bootstrap, **fit_kwargs)
                          for member in self.learner_list]
        self._rng = check_random_state(self.random_state)
        return self

    def ensure_fitted(self, required=True):
        """Adopt the members as given (modAL semantics) when fit was never called."""
        if hasattr(self, "learners_"):
            return True
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

    def teach(self, X, y, bootstrap=False, only_new=False, **fit_kwargs):
        """Teach every member the new rows (see :meth:`ActiveLearner.teach`), all or nothing.

        New labels are learned by every member. If one member's refit fails,
        no member changes (models updated in place are updated on copies).

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
        check_consistent_rows(X, y)
        if not self.ensure_fitted(required=False):
            return self.fit(X, y, bootstrap=bootstrap, **fit_kwargs)
        binarizer = committee_binarizer(self)
        y = encode_like(y, binarizer)
        for member in self.learners_:
            check_no_nan(X, member.estimator_)
            if is_classifier(member.estimator_) and binarizer is None:
                check_new_labels(member.estimator_, y, member.classes_, only_new)
        with random_state_kept_on_error(*[member._rng for member in self.learners_]):
            states = [member._teach_state(X, y, bootstrap, only_new, fit_kwargs, copy_in_place=True)
                      for member in self.learners_]
        for member, state in zip(self.learners_, states):
            member._set_state(state)
        return self

    def rebag(self, **fit_kwargs):
        """Refit every member on a bootstrap resample of its own training data (all or nothing).

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
        self.ensure_fitted()
        with random_state_kept_on_error(*[member._rng for member in self.learners_]):
            states = [member._refit_state(True, fit_kwargs, copy_in_place=True) for member in self.learners_]
        for member, state in zip(self.learners_, states):
            member._set_state(state)
        return self

    def query(self, X_pool, n_instances=None, return_metrics=False, **query_kwargs):
        """Ask the query strategy for the pool rows to label next (see :meth:`ActiveLearner.query`).

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
        for member in self._members():
            check_pool_values(X_pool, member.estimator)
        indices, metrics = run_query_strategy(
            self.query_strategy, self, X_pool, n_instances, self._query_rng(), query_kwargs
        )
        rows = take_rows(X_pool, indices)
        return (indices, rows, metrics) if return_metrics else (indices, rows)

    def vote(self, X, **predict_kwargs):
        """Each member's prediction, shape (n_samples, n_members).

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
        return np.column_stack([m.predict(X, **predict_kwargs) for m in self.learners_])

    def transform_without_estimating(self, X):
        """The members' pipeline transforms of ``X``, side by side (as modAL)."""
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
        self.ensure_fitted()
        binarizer = committee_binarizer(self)
        if binarizer is not None:  # multi-label: the members' shared label names
            return binarizer.classes_
        return np.unique(np.concatenate([np.asarray(m.classes_) for m in self.learners_]))

    def vote_proba(self, X, **predict_proba_kwargs):
        """Each member's class probabilities over the committee's ``classes_``.

        Returns
        -------
        ndarray of shape (n_samples, n_members, n_classes)
        """
        classes = self.classes_
        out = np.zeros((n_rows(X), len(self.learners_), len(classes)))
        multilabel = committee_binarizer(self) is not None
        for j, member in enumerate(self.learners_):
            columns = slice(None) if multilabel else np.searchsorted(classes, member.classes_)
            out[:, j, columns] = member.predict_proba(X, **predict_proba_kwargs)
        return out

    def predict_proba(self, X, **predict_proba_kwargs):
        """Consensus probabilities: the members' probabilities averaged."""
        return self.vote_proba(X, **predict_proba_kwargs).mean(axis=1)

    def predict(self, X, **predict_proba_kwargs):
        """The class with the highest consensus probability (multi-label: each label above 0.5)."""
        if committee_binarizer(self) is not None:
            return (self.predict_proba(X, **predict_proba_kwargs) > 0.5).astype(np.int64)
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
