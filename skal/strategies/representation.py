"""What a representation-based strategy sees of the pool and of the labelled set.

The rule, in order:

1. ``estimator.embed(X)`` when the model has it (:class:`skal.TransformerClassifier`,
   or an :class:`skal.ActiveLearner` wrapping one);
2. for an ActiveLearner with ``on_transformed=True``, the pipeline minus its
   last step (:meth:`skal.ActiveLearner.transform_without_estimating`);
3. otherwise the raw features, which must then be numeric.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["representation", "labelled_representation", "mc_probabilities", "gradient_embedding"]


def representation(estimator, X):
    """The pool ``X`` as a dense float32 matrix under the rule above."""
    if hasattr(estimator, "embed"):
        Z = estimator.embed(X)
    elif getattr(estimator, "on_transformed", False) and hasattr(estimator, "transform_without_estimating"):
        Z = estimator.transform_without_estimating(X)
    else:
        Z = X
    if sp.issparse(Z):
        Z = Z.toarray()
    Z = np.asarray(Z)
    if Z.ndim != 2 or not np.issubdtype(Z.dtype, np.number):
        raise ValueError(
            "This strategy needs a numeric representation of the pool, but got "
            f"{'text' if Z.dtype.kind in 'OUS' else Z.dtype} data. Use an estimator with embed() "
            "(TransformerClassifier), or a pipeline with on_transformed=True on the ActiveLearner."
        )
    Z = Z.astype(np.float32, copy=False)
    if not np.isfinite(Z).all():
        raise ValueError("The pool representation contains NaN or inf.")
    return Z


def labelled_representation(estimator):
    """The labelled rows of an ActiveLearner (or committee) in the same space; None if there are none."""
    members = getattr(estimator, "learners_", None) or [estimator]
    X_training = getattr(members[0], "X_training_", None)
    if X_training is None:
        return None
    return representation(estimator, X_training)


def mc_probabilities(estimator, X, mc_samples=20, random_state=None):
    """Posterior samples of the class probabilities, shape (n_samples, n_draws, n_classes).

    MC-dropout passes from ``predict_proba_mc`` when the model has it
    (:class:`skal.TransformerClassifier`), else a committee's members
    (``vote_proba``), each taken as one posterior sample.
    """
    if isinstance(mc_samples, bool) or not isinstance(mc_samples, (int, np.integer)) or mc_samples < 2:
        raise ValueError(f"mc_samples must be an integer >= 2, got {mc_samples!r}.")
    if hasattr(estimator, "predict_proba_mc"):
        return np.asarray(estimator.predict_proba_mc(X, mc_samples=mc_samples, random_state=random_state))
    if hasattr(estimator, "vote_proba"):
        return np.asarray(estimator.vote_proba(X))
    raise ValueError(
        f"{type(estimator).__name__} gives no posterior samples: Bayesian strategies need a model with "
        "predict_proba_mc (MC dropout, e.g. TransformerClassifier) or a Committee."
    )


def gradient_embedding(estimator, X):
    """Last-layer loss gradient at the predicted label, (p - onehot(argmax p)) ⊗ h, shape (n, C·d).

    Uses the model's own ``gradient_embedding`` when it has one; otherwise
    ``h`` is the representation of :func:`representation` (exact for a
    linear model such as logistic regression on those features).
    """
    if hasattr(estimator, "gradient_embedding"):
        return np.asarray(estimator.gradient_embedding(X), dtype=np.float32)
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float32)
    h = representation(estimator, X)
    residual = proba.copy()
    residual[np.arange(proba.shape[0]), proba.argmax(axis=1)] -= 1.0
    return (residual[:, :, None] * h[:, None, :]).reshape(proba.shape[0], -1)
