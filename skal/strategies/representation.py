"""What a representation-based strategy sees of the pool and of the labelled set.

Diversity, density and model-change strategies work on vectors, not on raw
texts. The vectors of a pool ``X`` for an ``estimator`` are, in order:

1. ``estimator.embed(X)`` when the model has it (:class:`skal.TransformerClassifier`,
   or an :class:`skal.ActiveLearner` wrapping one; for a :class:`skal.Committee`
   whose members all have it, their embeddings side by side);
2. for an ActiveLearner or Committee with ``on_transformed=True``, the output
   of the pipeline minus its last step (``transform_without_estimating``);
3. otherwise the raw features ``X``, which must then be numeric. A bare
   :class:`~sklearn.pipeline.Pipeline` is not unwrapped: wrap it as
   ``ActiveLearner(pipeline, on_transformed=True)`` to work on its features.

Dense numeric representations keep their float dtype (float32 stays float32);
integer ones become float64; sparse matrices stay sparse (CSR).

The labelled set of an ActiveLearner (its ``X_training_``) or of a Committee
(its first member's) goes through the same rule; a plain estimator has none.

Probabilities under the posterior (:func:`mc_probabilities`) come from
``predict_proba_mc`` (MC dropout), else a Committee's members, else from a
fitted skorch net run with its dropout layers switched on.
"""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted

from ..data import n_rows
from ..parameters import check_int
from ..seeding import draw_seed
from ..targets import is_multilabel_model, label_proba

__all__ = [
    "committee_members",
    "is_committee",
    "pool_representation",
    "representation",
    "labelled_representation",
    "gradient_embedding",
    "mc_probabilities",
    "check_fitted",
    "check_proba",
    "check_posterior",
    "gradient_factors",
    "labelled_data",
]


def check_fitted(estimator):
    """Raise :class:`~sklearn.exceptions.NotFittedError` (a ValueError) for an unfitted model.

    An :class:`skal.ActiveLearner` or :class:`skal.Committee` built with
    ``X_training``/``y_training`` fits itself here, as it would on ``query``.
    ``None`` (no model, for the purely representation-based strategies) passes.

    Parameters
    ----------
    estimator : estimator, ActiveLearner, Committee or None
        The model a strategy is about to use.

    Raises
    ------
    NotFittedError
        If the model is not fitted and has nothing to fit on.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies.representation import check_fitted
    >>> check_fitted(LogisticRegression().fit([[0.], [1.]], [0, 1]))
    >>> check_fitted(LogisticRegression())
    Traceback (most recent call last):
    ...
    sklearn.exceptions.NotFittedError: This LogisticRegression instance is not fitted yet...
    """
    if estimator is None:
        return
    if hasattr(estimator, "ensure_fitted"):  # skal's learners fit lazily (modAL semantics)
        estimator.ensure_fitted()
        return
    try:
        check_is_fitted(estimator)
    except TypeError:  # duck-typed models without ``fit`` cannot be checked
        pass


def is_committee(estimator):
    """Whether ``estimator`` is a committee (fitted or not): it has ``learners_`` or ``learner_list``.

    Parameters
    ----------
    estimator : object
        Any estimator.

    Returns
    -------
    bool
        True for a committee.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies.representation import is_committee
    >>> is_committee(Committee([ActiveLearner(LogisticRegression())])), is_committee(LogisticRegression())
    (True, False)
    """
    return hasattr(estimator, "learners_") or hasattr(estimator, "learner_list")


def committee_members(estimator):
    """The learners of a committee (its fitted copies once fitted), or ``[estimator]`` for one model.

    Parameters
    ----------
    estimator : Committee, ActiveLearner or estimator
        A committee, or one model.

    Returns
    -------
    list
        Its members.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies.representation import committee_members
    >>> len(committee_members(Committee([ActiveLearner(LogisticRegression())] * 2)))
    2
    >>> committee_members("model")
    ['model']
    """
    if hasattr(estimator, "learners_"):
        return list(estimator.learners_)
    if hasattr(estimator, "learner_list"):
        return list(estimator.learner_list)
    return [estimator]


def _as_matrix(Z, what):
    """A dense float array or a CSR matrix, checked for text, shape and NaN."""
    if sp.issparse(Z):
        Z = sp.csr_matrix(Z)
        if not np.issubdtype(Z.dtype, np.floating):
            Z = Z.astype(np.float64)
        values = Z.data
    else:
        Z = np.asarray(Z.to_numpy() if hasattr(Z, "to_numpy") else Z)
        if Z.dtype.kind not in "biuf":
            raise ValueError(
                f"This strategy needs a numeric representation of the {what}, but got "
                f"{'text' if Z.dtype.kind in 'OUS' else Z.dtype} data. Use an ActiveLearner "
                "with on_transformed=True over a pipeline that turns texts into features, or "
                "an estimator with embed() such as skal.TransformerClassifier."
            )
        if Z.dtype.kind != "f":
            Z = Z.astype(np.float64)
        if Z.ndim == 1:
            Z = Z.reshape(-1, 1)
        if Z.ndim != 2:
            raise ValueError(f"The {what} representation must be 2-dimensional, got shape {Z.shape}.")
        values = Z
    try:  # an O(1)-memory sum first, unlike np.isfinite(Z).all() (an N×d temporary)
        assert_all_finite(values, allow_nan=False)
    except ValueError:
        raise ValueError(
            f"The {what} representation contains NaN or inf; impute or drop those rows first."
        ) from None
    return Z


def pool_representation(estimator, X):
    """The vectors a representation-based strategy sees for the rows of ``X``.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        None means "no model": the raw features are used.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool rows to represent.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_features) or CSR matrix
        Float dtype of the source kept; NaN/inf rejected.

    Raises
    ------
    ValueError
        If the representation is not numeric (texts with no ``embed`` and no
        ``on_transformed``), is not 2-D, or holds NaN/inf.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.representation import pool_representation
    >>> pool_representation(None, np.array([[1, 2], [3, 4]])).dtype
    dtype('float64')
    """
    check_fitted(estimator)
    if estimator is None:
        Z = X
    elif hasattr(estimator, "embed"):
        Z = estimator.embed(X)
    elif is_committee(estimator):
        members = committee_members(estimator)
        if getattr(estimator, "on_transformed", False):
            Z = estimator.transform_without_estimating(X)
        elif members and all(hasattr(m, "embed") for m in members):
            Z = np.hstack([np.asarray(m.embed(X)) for m in members])
        else:
            Z = X
    elif getattr(estimator, "on_transformed", False) and hasattr(estimator, "transform_without_estimating"):
        Z = estimator.transform_without_estimating(X)
    else:
        Z = X
    return _as_matrix(Z, "pool")


#: Short name of :func:`pool_representation`.
representation = pool_representation


def labelled_representation(estimator):
    """The labelled rows of an ActiveLearner or Committee in the pool's space.

    Parameters
    ----------
    estimator : ActiveLearner, Committee, estimator or None
        The learner whose ``X_training_`` (a Committee's first member's) is
        represented as :func:`pool_representation` represents the pool.

    Returns
    -------
    Z : ndarray or CSR matrix, or None
        None for a plain estimator, for ``None``, and for a learner without
        training data (an adopted pre-fitted model).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies.representation import labelled_representation
    >>> learner = ActiveLearner(LogisticRegression()).fit(np.array([[0.], [1.]]), [0, 1])
    >>> labelled_representation(learner).shape, labelled_representation(None)
    ((2, 1), None)
    """
    if estimator is None:
        return None
    check_fitted(estimator)
    if is_committee(estimator):
        members = committee_members(estimator)
        X_training = getattr(members[0], "X_training_", None) if members else None
    else:
        X_training = getattr(estimator, "X_training_", None)
    if X_training is None or n_rows(X_training) == 0:
        return None
    return pool_representation(estimator, X_training)


def labelled_data(estimator):
    """The labelled rows of an ActiveLearner or Committee as they were given, and their labels.

    Strategies that need the model's predictions on the labelled set (CAL),
    the labels (AnchorAL's anchors per class) or the rows themselves take
    them from here unless they are passed ``X_labelled=``.

    Parameters
    ----------
    estimator : ActiveLearner, Committee, estimator or None
        The learner whose labelled set is wanted.

    Returns
    -------
    X_training : array-like or None
        The learner's (a Committee's first member's) ``X_training_``.
    y_training : array-like or None
        Its ``y_training_``. Both None for a plain estimator, for ``None``,
        and for a learner without training data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies.representation import labelled_data
    >>> learner = ActiveLearner(LogisticRegression()).fit(np.array([[0.], [1.]]), [0, 1])
    >>> X, y = labelled_data(learner)
    >>> X.shape, y.tolist(), labelled_data(None)
    ((2, 1), [0, 1], (None, None))
    """
    if estimator is None:
        return None, None
    check_fitted(estimator)
    source = estimator
    if is_committee(estimator):
        members = committee_members(estimator)
        source = members[0] if members else None
    X_training = getattr(source, "X_training_", None)
    if X_training is None or n_rows(X_training) == 0:
        return None, None
    return X_training, getattr(source, "y_training_", None)


def check_proba(P, n, what="predict_proba output"):
    """``P`` as a float array of shape (n, n_classes), or a ValueError naming ``what``.

    Parameters
    ----------
    P : array-like
        Class probabilities, one row per pool row.
    n : int
        The number of pool rows.
    what : str, default="predict_proba output"
        Names ``P`` in the messages.

    Returns
    -------
    P : ndarray of shape (n, n_classes), float64
        The probabilities, checked.

    Raises
    ------
    ValueError
        If ``P`` is not 2-D with ``n`` rows or holds NaN or inf.

    Examples
    --------
    >>> from skal.strategies.representation import check_proba
    >>> check_proba([[0.2, 0.8]], 1).shape
    (1, 2)
    """
    P = np.asarray(P, dtype=float)
    if P.ndim != 2 or P.shape[0] != n:
        raise ValueError(f"{what} must have shape (n_samples, n_classes) = ({n}, ...), got {P.shape}.")
    if not np.isfinite(P).all():
        raise ValueError(f"{what} contains NaN or inf.")
    return P


def check_posterior(P, n=None, what="Posterior samples"):
    """``P`` as a float array of shape (n_samples, n_posterior, n_classes), or a ValueError naming ``what``.

    The one check of posterior probabilities (MC dropout passes, committee
    members) that the Bayesian strategies and :func:`mc_probabilities` run.

    Parameters
    ----------
    P : array-like
        Class probabilities under each posterior sample.
    n : int or None, default=None
        The number of pool rows ``P`` must have; None accepts any non-zero number.
    what : str, default="Posterior samples"
        Names ``P`` in the messages.

    Returns
    -------
    P : ndarray of shape (n_samples, n_posterior, n_classes), float64
        The probabilities, checked.

    Raises
    ------
    ValueError
        If ``P`` is not 3-D (with ``n`` rows), has no rows, or holds NaN or inf.

    Examples
    --------
    >>> from skal.strategies.representation import check_posterior
    >>> check_posterior([[[0.5, 0.5], [0.9, 0.1]]]).shape
    (1, 2, 2)
    >>> check_posterior([[0.5, 0.5]])
    Traceback (most recent call last):
    ...
    ValueError: Posterior samples must have shape (n_samples, n_posterior, n_classes), got (1, 2).
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 3 or (n is not None and P.shape[0] != n):
        rows = "" if n is None else f" with n_samples={n}"
        raise ValueError(f"{what} must have shape (n_samples, n_posterior, n_classes){rows}, got {P.shape}.")
    if P.shape[0] == 0:
        raise ValueError("The pool is empty: there is nothing to query.")
    if not np.isfinite(P).all():
        raise ValueError(f"{what} contain NaN or inf.")
    return P


def gradient_factors(estimator, X):
    """The two factors of the last-layer gradients at the predicted label: ``(A, H)``.

    For a softmax last layer whose input is the pool representation ``h``
    (see :func:`pool_representation`), the gradient of the loss at the
    predicted label ``ŷ`` is the outer product ``(p − e_ŷ) ⊗ h``. This returns
    the residuals ``A = p − e_ŷ`` (N × n_classes, float64) and ``H`` (N × d,
    dtype kept, CSR stays CSR), from which norms and inner products of the
    gradients factor without building them.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba`` (per-label probabilities for a
        multi-label one).
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.

    Returns
    -------
    A : ndarray of shape (n_samples, n_classes)
        The residuals ``p − e_ŷ`` (``p − [p > 0.5]`` for a multi-label model).
    H : ndarray or CSR matrix of shape (n_samples, n_features)
        The pool representation, the last layer's input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies.representation import gradient_factors
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> A, H = gradient_factors(clf, np.array([[0.], [2.]]))
    >>> A.shape, H.shape, bool(np.allclose(A.sum(axis=1), 0))
    ((2, 2), (2, 1), True)
    """
    check_fitted(estimator)
    n = n_rows(X)
    if is_multilabel_model(estimator):
        # One sigmoid per label, binary cross-entropy: dL/dlogit_l = p_l - ŷ_l, ŷ = the predicted label set.
        P = check_proba(label_proba(estimator, X), n, "predict_proba output")
        return P - (P > 0.5), pool_representation(estimator, X)
    P = check_proba(estimator.predict_proba(X), n, "predict_proba output")
    H = pool_representation(estimator, X)
    A = P.copy()
    A[np.arange(n), P.argmax(axis=1)] -= 1.0
    return A, H


def gradient_embedding(estimator, X):
    """Last-layer loss gradients at the predicted label (BADGE's embedding).

    Uses ``estimator.gradient_embedding(X)`` when the model has it. Otherwise
    the generic form for a softmax last layer whose input is the pool
    representation ``h`` (see :func:`pool_representation`):
    ``g = (p - onehot(argmax p)) ⊗ h``, flattened class-major to
    ``n_classes * n_features`` columns (sparse when ``h`` is sparse). For a
    multi-label model (one sigmoid per label, binary cross-entropy) it is
    ``g = (p - [p > 0.5]) ⊗ h`` over the per-label probabilities
    (:func:`skal.targets.label_proba`), ``n_labels * n_features`` columns.
    :func:`skal.strategies.badge_sampling` does not build this matrix; it
    works on :func:`gradient_factors`.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        A model with ``gradient_embedding`` or ``predict_proba``.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.

    Returns
    -------
    G : ndarray of shape (n_samples, n_classes * n_features) or CSR matrix
        One gradient per pool row, flattened class-major.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies.representation import gradient_embedding
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> gradient_embedding(clf, np.array([[0.], [2.]])).shape
    (2, 2)
    """
    check_fitted(estimator)
    if hasattr(estimator, "gradient_embedding"):
        return _as_matrix(estimator.gradient_embedding(X), "gradient embedding")
    A, H = gradient_factors(estimator, X)
    n = A.shape[0]
    if sp.issparse(H):
        return sp.hstack([sp.diags(A[:, k]) @ H for k in range(A.shape[1])], format="csr")
    A = A.astype(H.dtype, copy=False)
    return (A[:, :, None] * H[:, None, :]).reshape(n, -1)


def _seed(random_state):
    """An int seed for torch-based models: None and ints as they are, one drawn from a RandomState."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return draw_seed(random_state)


def _predict_nonlinearity(net):
    """The function a skorch net applies to its module's output in ``predict_proba`` (softmax, ...).

    skorch (1.x) has no public accessor for it: ``net._get_predict_nonlinearity()``
    is the private method its own ``predict_proba`` calls, resolving the
    ``predict_nonlinearity="auto"`` default from the criterion. This is the
    one place skal reaches into skorch's private API, and only for nets that are
    not skal's own: :class:`~skal.fine_tuning.FineTuningNet` says it publicly
    (``probabilities``: sigmoid per label for multi-label logits, softmax otherwise).
    """
    if hasattr(net, "probabilities"):
        return net.probabilities
    return net._get_predict_nonlinearity()


def _skorch_net(estimator):
    """The fitted skorch net inside ``estimator`` and the input it takes, or (None, None)."""
    if hasattr(estimator, "estimator_") and hasattr(estimator, "transform_without_estimating"):
        estimator = estimator.estimator_  # ActiveLearner: the model it wraps
    transform = None
    if isinstance(estimator, Pipeline) and len(estimator) > 1:
        transform, estimator = estimator[:-1], estimator[-1]
    if hasattr(estimator, "module_") and hasattr(estimator, "get_iterator") and hasattr(estimator, "infer"):
        return estimator, transform
    return None, None


def _skorch_mc_proba(net, X, mc_samples, seed):
    """``mc_samples`` forward passes of a skorch net with only its dropout layers in train mode."""
    import torch
    from skorch.dataset import unpack_data

    dropout_types = (torch.nn.Dropout, torch.nn.Dropout1d, torch.nn.Dropout2d, torch.nn.Dropout3d,
                     torch.nn.AlphaDropout, torch.nn.FeatureAlphaDropout)
    module = net.module_
    dropouts = [m for m in module.modules() if isinstance(m, dropout_types)]
    if not dropouts:
        raise ValueError(
            f"{type(module).__name__} has no dropout layer, so MC dropout would return identical "
            "samples. Add dropout to the module, or use a Committee."
        )
    nonlinearity = _predict_nonlinearity(net)
    modes = [(m, m.training) for m in module.modules()]
    chunks = []
    try:
        module.eval()
        for layer in dropouts:
            layer.train()
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            for batch in net.get_iterator(net.get_dataset(X), training=False):
                Xi, _ = unpack_data(batch)
                passes = []
                for _ in range(mc_samples):
                    out = net.infer(Xi)
                    passes.append(nonlinearity(out[0] if isinstance(out, tuple) else out))
                chunks.append(torch.stack(passes, dim=1).float().cpu().numpy())
    finally:
        for m, training in modes:  # restore every layer's own mode
            m.training = training
    return np.concatenate(chunks, axis=0)


def mc_probabilities(estimator, X, mc_samples=20, random_state=None):
    """Class probabilities under posterior samples, shape (n_samples, n_posterior, n_classes).

    Where they come from, in order:

    1. ``estimator.predict_proba_mc(X, mc_samples=..., random_state=...)``
       (MC dropout; :class:`skal.TransformerClassifier` and ActiveLearners
       wrapping one);
    2. a Committee's ``vote_proba(X)``: each member is one posterior sample
       (``mc_samples`` is then not used);
    3. a fitted skorch net (alone, last in a pipeline, or inside an
       ActiveLearner): ``mc_samples`` passes with its dropout layers on.

    Parameters
    ----------
    estimator : fitted model, ActiveLearner or Committee
        The source of the posterior samples, as listed above.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.
    mc_samples : int, default=20
        Number of stochastic forward passes; at least 2.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks (torch's CPU generator, restored afterwards
        for skorch nets).

    Returns
    -------
    P : ndarray of shape (n_samples, n_posterior, n_classes)
        Each pool row's class probabilities under each posterior sample.

    Raises
    ------
    ValueError
        If ``mc_samples < 2``, if the model offers no posterior samples, or if
        the probabilities are malformed or hold NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies.representation import mc_probabilities
    >>> X, y = np.array([[0.], [1.], [2.], [3.]]), [0, 0, 1, 1]
    >>> committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.1, 10.)]).fit(X, y)
    >>> mc_probabilities(committee, X).shape
    (4, 2, 2)
    """
    check_int(mc_samples, "mc_samples", minimum=2)
    check_fitted(estimator)
    n = n_rows(X)
    if hasattr(estimator, "predict_proba_mc"):
        P = estimator.predict_proba_mc(X, mc_samples=mc_samples, random_state=_seed(random_state))
    elif hasattr(estimator, "vote_proba"):
        P = estimator.vote_proba(X)
        if np.shape(P)[1] < 2:
            raise ValueError("A Committee needs at least 2 members to act as posterior samples.")
    else:
        net, transform = _skorch_net(estimator)
        if net is None:
            raise ValueError(
                f"{type(estimator).__name__} offers no posterior samples: Bayesian strategies need "
                "a model with predict_proba_mc (MC dropout, e.g. skal.TransformerClassifier), a "
                "skorch net with dropout layers, or a skal.Committee whose members act as samples."
            )
        P = _skorch_mc_proba(net, X if transform is None else transform.transform(X), mc_samples,
                             _seed(random_state))
    return check_posterior(P, n, "Posterior probabilities")
