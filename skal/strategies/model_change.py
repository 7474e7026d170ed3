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
from sklearn.utils import check_random_state
from sklearn.utils.extmath import row_norms

from ..data import check_pool, n_rows
from .diversity import _argmax, _d2_seeding, _tie_order
from .representation import _check_proba, check_fitted, gradient_embedding, pool_representation
from .selection import select_top

__all__ = ["expected_gradient_length", "expected_gradient_length_sampling", "badge_sampling"]


def expected_gradient_length(estimator, X):
    """Expected norm of the last-layer gradient if the row were labelled (Settles et al., 2008).

    ``EGL(x) = Σ_y p(y|x) ‖(p − e_y) ⊗ h‖ = ‖h‖ · Σ_y p_y ‖p − e_y‖``: the
    norm of an outer product is the product of the norms, so this closed
    form for a softmax last layer needs no backward pass, and costs O(N·d).
    The bias gradient is left out.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
    X : pool

    Returns
    -------
    ndarray of shape (n_samples,)

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
    P = _check_proba(estimator.predict_proba(X), n_rows(X), "predict_proba output")
    h_norm = np.sqrt(row_norms(pool_representation(estimator, X), squared=True)).astype(float)
    sq = (P ** 2).sum(axis=1, keepdims=True)
    residual_norms = np.sqrt(np.maximum(sq - 2.0 * P + 1.0, 0.0))  # ‖p − e_y‖ for every y
    return h_norm * (P * residual_norms).sum(axis=1)


def expected_gradient_length_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows that would change the model most: the largest expected gradient length.

    See :func:`expected_gradient_length`.

    Returns
    -------
    indices : ndarray of shape (n_instances,), most informative first
    scores : ndarray of shape (n_instances,), their expected gradient lengths
    """
    check_pool(X, n_instances)
    return select_top(expected_gradient_length(estimator, X), n_instances, random_tie_break, random_state)


def badge_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """BADGE (Ash et al., 2020): k-means++ seeding over gradient embeddings.

    The gradient embedding of a row is the last-layer gradient at the model's
    own predicted label (:func:`~skal.strategies.representation.gradient_embedding`):
    long for uncertain rows, pointing in class-specific directions. The first
    pick has the largest norm; each next one is drawn with probability
    proportional to its squared distance to the nearest pick (D² sampling
    with ``random_state``), so the batch is both uncertain and diverse,
    typically spanning several classes. Distances are a running minimum, one
    O(N·d) pass per pick; the embedding takes N × n_classes × d floats.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        ``gradient_embedding`` is used when the model has it.
    X : pool
    n_instances : int, default=1
    random_tie_break : bool, default=False
        Break ties for the first (largest-norm) pick at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the D² sampling.

    Returns
    -------
    indices : ndarray of shape (n_instances,), in pick order
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
    G = gradient_embedding(estimator, X)
    rng = check_random_state(random_state)
    norms = np.sqrt(row_norms(G, squared=True).astype(float))
    first = _argmax(norms, _tie_order(random_tie_break, rng, size))
    picks, sq_dist = _d2_seeding(G, n_instances, first, rng)
    scores = np.sqrt(sq_dist)
    scores[0] = norms[first]
    return picks, scores
