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

__all__ = ["representation", "labelled_representation"]


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
