"""Expected model change: expected gradient length and BADGE.

Both look at the gradient of the cross-entropy loss with respect to the
weights of the model's last (softmax) layer. For a row with class
probabilities ``p`` and last-layer input ``h``, labelling it ``y`` gives the
gradient ``(p − e_y) ⊗ h``. ``h`` is the model's ``embed`` output (the input
of a transformer's classification layer), the pipeline's features under
``on_transformed=True``, or the raw features: exactly the last layer's input
for a logistic regression on them (see
:mod:`skal.strategies.representation`).
"""

import numpy as np
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.extmath import row_norms, safe_sparse_dot

from ..data import check_pool, n_rows
from . import geometry
from .geometry import argmax_in_order, d2_seeding, tie_order
from .representation import (
    check_fitted,
    check_proba,
    gradient_embedding,
    gradient_factors,
    pool_representation,
)
from .selection import select_top

__all__ = ["FactoredGradientDistance", "badge_sampling", "expected_gradient_length",
           "expected_gradient_length_sampling"]


def expected_gradient_length(estimator, X):
    """Expected norm of the last-layer gradient if the row were labelled (Settles et al., 2008).

    ``EGL(x) = Σ_y p(y|x) ‖(p − e_y) ⊗ h‖ = ‖h‖ · Σ_y p_y ‖p − e_y‖``: the
    norm of an outer product is the product of the norms, so this closed
    form for a softmax last layer needs no backward pass, and costs O(N·d).
    The bias gradient is left out.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the class probabilities and the last-layer input ``h``.
    X : array-like, sparse matrix or list of texts
        The pool.

    Returns
    -------
    ndarray of shape (n_samples,)
        The expected gradient length of each row (0 for a row the model is sure of).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import expected_gradient_length
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> expected_gradient_length(clf, np.array([[0.], [0.1], [3.]])).round(3)
    array([0.   , 0.071, 0.874])
    """
    check_fitted(estimator)
    P = check_proba(estimator.predict_proba(X), n_rows(X), "predict_proba output")
    h_norm = np.sqrt(row_norms(pool_representation(estimator, X), squared=True)).astype(float)
    sq = (P ** 2).sum(axis=1, keepdims=True)
    residual_norms = np.sqrt(np.maximum(sq - 2.0 * P + 1.0, 0.0))  # ‖p − e_y‖ for every y
    return h_norm * (P * residual_norms).sum(axis=1)


def expected_gradient_length_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows that would change the model most: the largest expected gradient length.

    See :func:`expected_gradient_length`.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the class probabilities and the last-layer input ``h``.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their expected gradient lengths.

    Examples
    --------
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skal.strategies import expected_gradient_length_sampling
    >>> nb = GaussianNB().fit([[-2.], [-1.], [1.], [2.]], [0, 0, 1, 1])
    >>> expected_gradient_length_sampling(nb, [[-3.], [0.2], [5.]])[0]
    array([1])
    """
    check_pool(X, n_instances)
    return select_top(expected_gradient_length(estimator, X), n_instances, random_tie_break, random_state)


class FactoredGradientDistance:
    """Squared distances in BADGE's gradient space, from the factors of the gradients.

    A row's gradient embedding is the outer product ``g = a ⊗ h`` of its
    residual ``a = p − e_ŷ`` (n_classes values) and its representation ``h``
    (d values), so ``‖g‖² = ‖a‖²·‖h‖²`` and ``⟨g_i, g_j⟩ = ⟨a_i, a_j⟩·⟨h_i, h_j⟩``:
    the squared distance of every row to a new reference row ``j`` costs one
    matrix-vector product with ``A`` (N × n_classes) and one with ``H``
    (N × d, chunked), O(N·(n_classes + d)), and the N × (n_classes·d)
    gradient matrix is never built. Same interface as
    :class:`~skal.strategies.geometry.RunningMinDistance` with
    ``metric="sqeuclidean"``, for :func:`~skal.strategies.geometry.d2_seeding`.

    Parameters
    ----------
    A : ndarray of shape (N, n_classes)
        Residuals ``p − e_ŷ``.
    H : ndarray or CSR matrix of shape (N, d)
        Last-layer inputs.

    Attributes
    ----------
    sq_norms : ndarray of shape (N,)
        ``‖g‖²`` of every row.
    dist : ndarray of shape (N,)
        Squared distance to the nearest reference row (``inf`` while there is none).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.model_change import FactoredGradientDistance
    >>> A, H = np.array([[0.5, -0.5], [-0.1, 0.1]]), np.array([[1., 0.], [0., 2.]])
    >>> state = FactoredGradientDistance(A, H); state.add_row(0)
    >>> G = (A[:, :, None] * H[:, None, :]).reshape(2, -1)
    >>> bool(np.allclose(state.dist, ((G - G[0]) ** 2).sum(axis=1)))
    True
    """

    def __init__(self, A, H):
        self.A = np.asarray(A, dtype=np.float64)
        self.H = H
        self.sq_norms = row_norms(self.A, squared=True) * row_norms(H, squared=True).astype(np.float64)
        self.dist = np.full(self.A.shape[0], np.inf)

    def add_row(self, i):
        """Take pool row ``i`` as a reference: ``dist`` becomes the distance to the nearest reference.

        Parameters
        ----------
        i : int
            Position of the new reference row in ``A`` and ``H``.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.model_change import FactoredGradientDistance
        >>> state = FactoredGradientDistance(np.array([[1., -1.], [1., -1.]]), np.array([[1.], [3.]]))
        >>> state.add_row(1); state.dist.tolist()
        [8.0, 0.0]
        """
        a_dot = self.A @ self.A[i]
        h_i = self.H[i:i + 1]
        step = max(1, geometry.BLOCK_ENTRIES // max(1, self.H.shape[1]))
        for rows in gen_batches(self.A.shape[0], step):
            h_dot = np.asarray(safe_sparse_dot(self.H[rows], h_i.T, dense_output=True)).ravel()
            d = self.sq_norms[rows] + self.sq_norms[i] - 2.0 * a_dot[rows] * h_dot
            np.maximum(d, 0.0, out=d)
            np.minimum(self.dist[rows], d, out=self.dist[rows])


def badge_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """BADGE (Ash et al., 2020): k-means++ seeding over gradient embeddings.

    The gradient embedding of a row is the last-layer gradient at the model's
    own predicted label (:func:`~skal.strategies.representation.gradient_embedding`):
    long for uncertain rows, pointing in class-specific directions. The first
    pick has the largest norm; each next one is drawn with probability
    proportional to its squared distance to the nearest pick (D² sampling
    with ``random_state``), so the batch is both uncertain and diverse,
    typically spanning several classes.

    The gradients are never materialised: a gradient is the outer product
    ``(p − e_ŷ) ⊗ h``, so norms and inner products factor
    (:class:`FactoredGradientDistance`) and each pick costs one O(N·(n_classes
    + d)) pass with O(N·n_classes) extra memory, instead of the
    N × n_classes × d matrix (591 MiB at 100,000 rows, 384 d, 2 classes in
    float64). A model with its own ``gradient_embedding`` method (another
    last layer) is used as it is, densely.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        ``gradient_embedding`` is used when the model has it.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Size of the batch.
    random_tie_break : bool, default=False
        Break ties for the first (largest-norm) pick at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the D² sampling.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in pick order.
    scores : ndarray of shape (n_instances,)
        Each pick's distance in gradient space to its nearest earlier pick
        (its gradient norm for the first).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import badge_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 2)); y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X[:20], y[:20])
    >>> idx, scores = badge_sampling(clf, X, n_instances=4, random_state=0)
    >>> len(set(idx))
    4
    """
    size = check_pool(X, n_instances)
    check_fitted(estimator)
    rng = check_random_state(random_state)
    if hasattr(estimator, "gradient_embedding"):
        G = gradient_embedding(estimator, X)
        state, norms = None, np.sqrt(row_norms(G, squared=True).astype(float))
    else:
        A, H = gradient_factors(estimator, X)
        G, state = None, FactoredGradientDistance(A, H)
        norms = np.sqrt(state.sq_norms)
    first = argmax_in_order(norms, tie_order(random_tie_break, rng, size))
    picks, sq_dist = d2_seeding(G, n_instances, first, rng, state=state)
    scores = np.sqrt(sq_dist)
    scores[0] = norms[first]
    return picks, scores
