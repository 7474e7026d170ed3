"""Predictions of a meta-estimator that answers through the learner it fitted (``learner_``).

:class:`~skal.ActiveLearningSimulation`, :class:`~skal.stream.StreamSimulation`
and :class:`~skal.stream.StreamLearner` end their ``fit`` with a fitted
learner in ``learner_``; :class:`FittedLearnerMixin` gives them the same
``predict``, ``predict_proba`` and ``n_features_in_`` over it.
"""

from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["FittedLearnerMixin"]


def _model_has_proba(meta):
    return hasattr(getattr(meta, meta._model_parameter), "predict_proba")


class FittedLearnerMixin:
    """``predict``, ``predict_proba`` and ``n_features_in_`` read from ``learner_``.

    The class sets ``_model_parameter`` to the name of its parameter holding
    the model (``"estimator"`` by default; ``StreamLearner`` uses
    ``"learner"``): ``predict_proba`` exists when that model has one.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearningSimulation
    >>> from skal.fitted_learner import FittedLearnerMixin
    >>> issubclass(ActiveLearningSimulation, FittedLearnerMixin)
    True
    """

    _model_parameter = "estimator"

    @property
    def n_features_in_(self):
        """Number of features the final model saw, when it records it."""
        check_is_fitted(self, "learner_")
        return self.learner_.n_features_in_

    def predict(self, X):
        """Predictions of the final model.

        Parameters
        ----------
        X : array-like, sparse matrix, list of str or DataFrame
            Rows to predict, in any container the model takes.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The final model's predictions.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skal import ActiveLearningSimulation
        >>> X, y = load_iris(return_X_y=True)
        >>> sim = ActiveLearningSimulation(LogisticRegression(), n_queries=2, random_state=0).fit(X, y)
        >>> sim.predict(X[:2]).shape
        (2,)
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict(X)

    @available_if(_model_has_proba)
    def predict_proba(self, X):
        """Class probabilities of the final model.

        Parameters
        ----------
        X : array-like, sparse matrix, list of str or DataFrame
            Rows to predict, in any container the model takes.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The final model's class probabilities.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import SGDClassifier
        >>> from skal.stream import StreamSimulation
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
        >>> sim = StreamSimulation(SGDClassifier(loss="log_loss", random_state=0), random_state=0).fit(X, y)
        >>> sim.predict_proba(X[:3]).shape
        (3, 2)
        """
        check_is_fitted(self, "learner_")
        return self.learner_.predict_proba(X)
