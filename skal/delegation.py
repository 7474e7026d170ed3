"""The methods an :class:`skal.ActiveLearner` forwards to its fitted model.

:class:`ModelDelegationMixin` gives a learner ``predict``, ``predict_proba``,
``score``, ``embed``, ``predict_proba_mc``, ``gradient_embedding``,
``transform_without_estimating`` and the fitted attributes
``n_features_in_`` and ``feature_names_in_``. The methods fit lazily through
the learner's ``ensure_fitted()`` (modAL's ``X_training`` semantics); the
attributes never fit. Every output is checked for one row per input row.
"""

from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .strategies.selection import check_score_rows
from .targets import adopted_binarizer, positive_proba

__all__ = ["ModelDelegationMixin", "is_fitted"]


def is_fitted(estimator):
    """Whether ``estimator`` is fitted, by scikit-learn's ``check_is_fitted``; it fits nothing.

    Parameters
    ----------
    estimator : estimator
        Any estimator (a skal learner answers through ``__sklearn_is_fitted__``).

    Returns
    -------
    bool
        True when fitted.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.delegation import is_fitted
    >>> is_fitted(LogisticRegression()), is_fitted(LogisticRegression().fit([[0.], [1.]], [0, 1]))
    (False, True)
    """
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _first(out):
    return out[0] if isinstance(out, tuple) else out


class ModelDelegationMixin:
    """Prediction methods and fitted attributes forwarded to ``estimator_``.

    The class using it has ``estimator`` (the model given), ``estimator_``
    (the fitted one, once fitted), ``label_binarizer_`` (multi-label) and
    ``ensure_fitted(required=True)``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.delegation import ModelDelegationMixin
    >>> isinstance(ActiveLearner(LogisticRegression()), ModelDelegationMixin)
    True
    """

    def _fitted(self):
        """``(model, binarizer)`` of a fitted or adopting learner, without fitting; NotFittedError else."""
        if hasattr(self, "estimator_"):
            return self.estimator_, getattr(self, "label_binarizer_", None)
        if self.estimator is not None and is_fitted(self.estimator):
            return self.estimator, adopted_binarizer(self.estimator)
        raise NotFittedError(
            f"This {type(self).__name__} is not fitted yet: call fit(X, y), teach(X, y) or ensure_fitted() "
            "(which fits from X_training and y_training)."
        )

    # ------------------------------------------------------------ prediction
    def _checked(self, method, X, kwargs):
        self.ensure_fitted()
        out = getattr(self.estimator_, method)(X, **kwargs)
        check_score_rows(_first(out), X, f"{type(self.estimator_).__name__}.{method}")
        return out

    def predict(self, X, **predict_kwargs):
        """Predict with the fitted model (fitting from ``X_training`` first if needed).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to predict.
        **predict_kwargs : dict
            Passed to the model's ``predict``.

        Returns
        -------
        y_pred : ndarray
            One prediction per row of ``X``.

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

        A multi-label model's probabilities come as (n_samples, n_labels), one
        column per label of ``classes_``, whatever form the model returns
        (:func:`skal.targets.positive_proba`).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score.
        **predict_proba_kwargs : dict
            Passed to the model's ``predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearner
        >>> ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1]).predict_proba([[0.5]]).shape
        (1, 2)
        """
        self.ensure_fitted()
        if getattr(self, "label_binarizer_", None) is None:
            return self._checked("predict_proba", X, predict_proba_kwargs)
        proba = positive_proba(self.estimator_.predict_proba(X, **predict_proba_kwargs), self.estimator_.classes_)
        check_score_rows(proba, X, f"{type(self.estimator_).__name__}.predict_proba")
        return proba

    def score(self, X, y, **score_kwargs):
        """The fitted model's own ``score`` (accuracy for classifiers, R² for regressors).

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to score on.
        y : array-like
            Their true labels or values.
        **score_kwargs : dict
            Passed to the model's ``score`` (``sample_weight``).

        Returns
        -------
        score : float
            The model's score.

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

        Parameters
        ----------
        X : array-like, sparse matrix, list of strings or DataFrame
            The rows to transform.

        Returns
        -------
        X_transformed : array-like
            The output of every pipeline step but the last (of each member, side
            by side, for a committee model), or ``X``.

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
        """The wrapped model's ``embed`` (e.g. a transformer's pooled representation).

        Parameters
        ----------
        X : array-like or list of strings
            The rows to embed.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, n_dims)
            One vector per row.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.base import BaseEstimator, ClassifierMixin
        >>> from skal import ActiveLearner
        >>> class Embedder(ClassifierMixin, BaseEstimator):
        ...     def fit(self, X, y):
        ...         self.classes_ = np.unique(y); return self
        ...     def embed(self, X):
        ...         return np.asarray(X) * 2
        >>> ActiveLearner(Embedder()).fit([[0.], [1.]], [0, 1]).embed([[1.]])
        array([[2.]])
        """
        return self._checked("embed", X, {})

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "predict_proba_mc"))
    def predict_proba_mc(self, X, **kwargs):
        """The wrapped model's MC-dropout probabilities, shape (n, mc_samples, n_classes).

        Parameters
        ----------
        X : array-like or list of strings
            The rows to score.
        **kwargs : dict
            Passed to the model's ``predict_proba_mc`` (``mc_samples``).

        Returns
        -------
        proba : ndarray of shape (n_samples, mc_samples, n_classes)
            One probability vector per row and dropout sample.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.base import BaseEstimator, ClassifierMixin
        >>> from skal import ActiveLearner
        >>> class Dropout(ClassifierMixin, BaseEstimator):
        ...     def fit(self, X, y):
        ...         self.classes_ = np.unique(y); return self
        ...     def predict_proba_mc(self, X, mc_samples=3):
        ...         return np.full((len(X), mc_samples, 2), 0.5)
        >>> ActiveLearner(Dropout()).fit([[0.], [1.]], [0, 1]).predict_proba_mc([[1.]]).shape
        (1, 3, 2)
        """
        return self._checked("predict_proba_mc", X, kwargs)

    @available_if(lambda self: hasattr(getattr(self, "estimator_", self.estimator), "gradient_embedding"))
    def gradient_embedding(self, X):
        """The wrapped model's last-layer gradient embedding (BADGE).

        Parameters
        ----------
        X : array-like or list of strings
            The rows to embed.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, n_dims)
            One gradient embedding per row.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.base import BaseEstimator, ClassifierMixin
        >>> from skal import ActiveLearner
        >>> class Gradients(ClassifierMixin, BaseEstimator):
        ...     def fit(self, X, y):
        ...         self.classes_ = np.unique(y); return self
        ...     def gradient_embedding(self, X):
        ...         return np.ones((len(X), 4))
        >>> ActiveLearner(Gradients()).fit([[0.], [1.]], [0, 1]).gradient_embedding([[1.]]).shape
        (1, 4)
        """
        return self._checked("gradient_embedding", X, {})

    @property
    def n_features_in_(self):
        """Number of features the fitted model saw."""
        return self._fitted()[0].n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names the fitted model saw."""
        return self._fitted()[0].feature_names_in_
