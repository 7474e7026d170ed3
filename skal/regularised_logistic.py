"""Logistic regression whose regularisation is chosen by cross-validation on the labelled rows.

On a few dozen labelled sentence embeddings, scikit-learn's default ``C=1``
regularises heavily: a model that is 86% accurate shows probabilities of
0.50-0.64, useless as guesses to the person labelling. Choosing ``C`` by
stratified cross-validated log-loss makes the probabilities as sharp as the
held-out folds support. Below a few labels per class cross-validation means
nothing, so the estimator falls back to a fixed ``C``.

Built on :class:`~sklearn.model_selection.GridSearchCV` rather than
:class:`~sklearn.linear_model.LogisticRegressionCV` because the number of
folds must follow the smallest class at each fit, and
``LogisticRegressionCV``'s arguments are mid-deprecation across the
scikit-learn versions skal supports (``penalty``, ``l1_ratios``,
``scoring`` and ``use_legacy_attributes`` warn in 1.8+ and some do not exist
in 1.6).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .parameters import Int, RealNumber

__all__ = ["CrossValidatedLogisticRegression"]

#: Fewest folds worth cross-validating with: below this many rows in some class, ``C`` is fixed.
MIN_FOLDS = 3


class CrossValidatedLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2 logistic regression with ``C`` chosen by stratified k-fold log-loss, once labels allow.

    "Enough labels" is defined by the folds: with ``k = min(cv, rows of the
    smallest class)``, ``C`` is chosen among ``Cs`` by ``k``-fold stratified
    cross-validation when ``k >= 3`` (every class then has a row in each
    held-out fold), and the model is refitted on all rows with it.
    Otherwise ``C`` is used as given (scikit-learn's default, 1.0).

    Parameters
    ----------
    Cs : int or array-like of float, default=13
        Candidate inverse regularisation strengths; an int ``n`` is
        ``numpy.logspace(-2, 4, n)``.
    cv : int, default=5
        Most folds.
    C : float, default=1.0
        The inverse regularisation strength when there are too few labels
        to cross-validate.
    scoring : str, default="neg_log_loss"
        The cross-validation score (a scikit-learn scorer name); log-loss
        rewards probabilities that match the error rate.
    max_iter : int, default=1000
        Most solver iterations of each logistic regression.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of the folds.

    Attributes
    ----------
    C_ : float
        The ``C`` of the fitted model.
    n_folds_ : int
        Folds used to choose ``C_``; 0 when it fell back to ``C``.
    estimator_ : LogisticRegression
        The model refitted on all rows.
    classes_, coef_, intercept_, n_iter_, n_features_in_ :
        As in :class:`~sklearn.linear_model.LogisticRegression`.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3)); y = (X[:, 0] > 0).astype(int)
    >>> clf = CrossValidatedLogisticRegression(random_state=0).fit(X, y)
    >>> clf.n_folds_, bool(clf.C_ > 1.0)
    (5, True)
    >>> CrossValidatedLogisticRegression().fit(X[:4], [0, 0, 1, 1]).n_folds_
    0
    """

    _parameter_constraints: dict = {
        "Cs": [Int(1), "array-like"],
        "cv": [Int(2)],
        "C": [RealNumber(0, None, closed="neither")],
        "scoring": [str, callable],
        "max_iter": [Int(1)],
        "random_state": ["random_state"],
    }

    def __init__(self, Cs=13, cv=5, C=1.0, scoring="neg_log_loss", max_iter=1000, random_state=None):
        self.Cs = Cs
        self.cv = cv
        self.C = C
        self.scoring = scoring
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _candidates(self):
        if isinstance(self.Cs, numbers.Integral):
            return np.logspace(-2, 4, self.Cs)
        Cs = np.asarray(self.Cs, dtype=float).ravel()
        if Cs.size == 0 or not np.all(Cs > 0):
            raise ValueError(f"Cs must be a positive integer or a list of positive floats, got {self.Cs!r}.")
        return Cs

    def fit(self, X, y):
        """Choose ``C`` (when the smallest class allows ``cv >= 3`` folds) and fit on all rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training rows.
        y : array-like of shape (n_samples,)
            Their labels: at least two classes.

        Returns
        -------
        self : CrossValidatedLogisticRegression
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = CrossValidatedLogisticRegression().fit(X, [0, 0, 1, 1])
        >>> clf.C_, clf.n_folds_
        (1.0, 0)
        """
        self._validate_params()
        Cs = self._candidates()
        X, y = validate_data(self, X, y, accept_sparse="csr", reset=True)
        check_classification_targets(y)
        counts = np.unique(y, return_counts=True)[1]
        if len(counts) < 2:
            raise ValueError(f"y holds one class only ({np.unique(y)[0]!r}); a classifier needs at least two.")
        folds = int(min(self.cv, counts.min()))
        base = LogisticRegression(C=self.C, max_iter=self.max_iter)
        if folds >= MIN_FOLDS:
            search = GridSearchCV(
                base, {"C": Cs.tolist()}, scoring=self.scoring, refit=True,
                cv=StratifiedKFold(folds, shuffle=True, random_state=self.random_state),
            ).fit(X, y)
            estimator, C = search.best_estimator_, float(search.best_params_["C"])
        else:
            estimator, C, folds = base.fit(X, y), float(self.C), 0
        self.estimator_, self.C_, self.n_folds_ = estimator, C, folds
        self.classes_ = estimator.classes_
        self.coef_, self.intercept_, self.n_iter_ = estimator.coef_, estimator.intercept_, estimator.n_iter_
        return self

    def decision_function(self, X):
        """The fitted model's decision function.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            Signed distances to the decision boundary (one column for two classes).

        Examples
        --------
        >>> import numpy as np
        >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = CrossValidatedLogisticRegression().fit(X, [0, 0, 1, 1])
        >>> clf.decision_function([[-3.0], [3.0]]).round(2).tolist()
        [-3.02, 3.02]
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(validate_data(self, X, accept_sparse="csr", reset=False))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = CrossValidatedLogisticRegression().fit(X, [0, 0, 1, 1])
        >>> clf.predict_proba([[0.0]]).round(2).tolist()
        [[0.5, 0.5]]
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(validate_data(self, X, accept_sparse="csr", reset=False))

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log-probabilities.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = CrossValidatedLogisticRegression().fit(X, [0, 0, 1, 1])
        >>> clf.predict_log_proba([[0.0]]).round(3).tolist()
        [[-0.693, -0.693]]
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.regularised_logistic import CrossValidatedLogisticRegression
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = CrossValidatedLogisticRegression().fit(X, [0, 0, 1, 1])
        >>> clf.predict([[-3.0], [3.0]]).tolist()
        [0, 1]
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(validate_data(self, X, accept_sparse="csr", reset=False))
