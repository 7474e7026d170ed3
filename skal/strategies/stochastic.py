"""Stochastic batch acquisition: sampling a batch in proportion to any score (Kirsch et al., 2023).

Kirsch, Farquhar, Atighehchian, Jesson, Branchaud-Charron and Gal,
"Stochastic Batch Acquisition: A Simple Baseline for Deep Active Learning"
(TMLR 2023). The top-k of a per-row score picks near-duplicates: the scores
of the rows it passes over would change once the first picks are labelled.
Sampling the batch instead, with probability growing with the score, makes
it diverse at the cost of one top-k: no distance is computed.

Three distributions over the pool, for a score ``s`` (higher = more informative):

* ``"power"``: ``p ∝ s^β`` (scores must be non-negative: entropy, BALD, 1 − margin);
* ``"softmax"``: ``p ∝ exp(β·s)``;
* ``"rank"``: ``p ∝ rank^(−β)``, rank 1 for the highest score (ignores the scale).

A batch of ``k`` rows without replacement is the Gumbel-top-k of
``log p + Gumbel noise`` (Kool et al., 2019): one vectorised draw, O(N).
:func:`stochastic_batch` is the pure function over scores,
:func:`stochastic_sampling` and :func:`make_stochastic` wrap any utility
measure, and :func:`power_entropy_sampling`, :func:`power_margin_sampling`
and :func:`power_bald_sampling` are the paper's PowerEntropy, PowerMargin and
PowerBALD.
"""

import functools

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool
from ..parameters import check_option, check_real
from .bayesian import bald
from .representation import mc_probabilities
from .subsampling import check_callable
from .uncertainty import classifier_entropy, classifier_margin

__all__ = [
    "make_stochastic",
    "power_bald_sampling",
    "power_entropy_sampling",
    "power_margin_sampling",
    "stochastic_batch",
    "stochastic_sampling",
]

_MODES = ("power", "softmax", "rank")


def _check_mode_beta(mode, beta):
    check_option(mode, "mode", _MODES)
    check_real(beta, "beta", 0, None)


def _log_weights(scores, mode, beta):
    if mode == "power":
        if (scores < 0).any():
            raise ValueError(
                "mode='power' needs non-negative scores (p ∝ score^beta); use mode='softmax' or "
                "mode='rank' for scores that can be negative."
            )
        with np.errstate(divide="ignore"):
            return beta * np.log(scores)  # a score of 0 is never drawn before a positive one
    if mode == "softmax":
        return beta * scores
    ranks = np.empty(scores.shape[0])
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, scores.shape[0] + 1)
    return -beta * np.log(ranks)


def stochastic_batch(scores, n_instances=1, mode="power", beta=1.0, random_state=None):
    """Draw ``n_instances`` rows without replacement, row ``i`` with weight from ``scores[i]``.

    The Gumbel-top-k trick: add independent Gumbel(0, 1) noise to the log
    weights and keep the ``n_instances`` largest, which is sampling without
    replacement in proportion to the weights (Kool, van Hoof and Welling,
    2019). ``beta → ∞`` tends to the plain top-k, ``beta = 0`` to uniform sampling.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Higher is more informative; finite.
    n_instances : int, default=1
        Rows to draw.
    mode : {"power", "softmax", "rank"}, default="power"
        ``p ∝ score^beta``, ``p ∝ exp(beta·score)`` or ``p ∝ rank^(−beta)``.
    beta : float, default=1.0
        Non-negative; Kirsch et al. use 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the Gumbel noise.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in draw order.
    scores : ndarray of shape (n_instances,)
        ``scores[indices]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.stochastic import stochastic_batch
    >>> scores = np.r_[np.full(5, 1.0), np.full(5, 1e-6)]
    >>> sorted(stochastic_batch(scores, 3, random_state=0)[0].tolist())
    [0, 3, 4]
    """
    scores = np.asarray(scores, dtype=float).ravel()
    check_pool(scores, n_instances)
    _check_mode_beta(mode, beta)
    if not np.isfinite(scores).all():
        raise ValueError("scores contains NaN or inf.")
    keys = _log_weights(scores, mode, beta) + check_random_state(random_state).gumbel(size=scores.shape[0])
    if n_instances < scores.shape[0]:
        top = np.argpartition(-keys, n_instances - 1)[:n_instances]
    else:
        top = np.arange(scores.shape[0])
    picks = top[np.argsort(-keys[top], kind="stable")]
    return picks.astype(np.intp), scores[picks]


def stochastic_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                        utility=classifier_entropy, mode="power", beta=1.0, **utility_kwargs):
    """Query a batch drawn in proportion to ``utility(estimator, X)`` (see :func:`stochastic_batch`).

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Passed to ``utility``.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Accepted for the common signature; the draw breaks ties already.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    utility : callable, default=classifier_entropy
        ``utility(estimator, X, **utility_kwargs) -> (n_samples,)``, higher is
        more informative: ``classifier_entropy``, ``bald`` of posterior
        samples, ``expected_gradient_length``...
    mode : {"power", "softmax", "rank"}, default="power"
        How a utility becomes a draw weight (see :func:`stochastic_batch`).
    beta : float, default=1.0
        Sharpness of the distribution: 0 is uniform, larger tends to the top-k.
    **utility_kwargs : dict
        Further keyword arguments of ``utility``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in draw order.
    scores : ndarray of shape (n_instances,)
        Their utilities.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import expected_gradient_length, stochastic_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> idx, _ = stochastic_sampling(clf, X, n_instances=5, utility=expected_gradient_length, random_state=0)
    >>> len(set(idx.tolist()))
    5
    """
    check_pool(X, n_instances)
    check_callable(utility, "utility")
    _check_mode_beta(mode, beta)
    rng = check_random_state(random_state)
    scores = np.asarray(utility(estimator, X, **utility_kwargs), dtype=float).ravel()
    return stochastic_batch(scores, n_instances, mode=mode, beta=beta, random_state=rng)


def make_stochastic(utility, mode="power", beta=1.0):
    """A query strategy drawing its batches in proportion to ``utility`` (see :func:`stochastic_sampling`).

    Parameters
    ----------
    utility : callable
        ``utility(estimator, X, **kwargs) -> (n_samples,)``, higher is more informative.
    mode : {"power", "softmax", "rank"}, default="power"
        How a utility becomes a draw weight (see :func:`stochastic_batch`).
    beta : float, default=1.0
        Sharpness of the distribution: 0 is uniform, larger tends to the top-k.

    Returns
    -------
    callable
        Named ``<mode>_<utility name>``; pickles when ``utility`` does.

    Examples
    --------
    >>> from skal.strategies import expected_gradient_length, make_stochastic
    >>> make_stochastic(expected_gradient_length, mode="softmax").__name__
    'softmax_expected_gradient_length'
    """
    check_callable(utility, "utility")
    _check_mode_beta(mode, beta)
    wrapped = functools.partial(stochastic_sampling, utility=utility, mode=mode, beta=beta)
    wrapped.__name__ = f"{mode}_{getattr(utility, '__name__', 'utility')}"
    wrapped.__doc__ = f"{wrapped.__name__}: batches drawn with {mode} sampling (see skal.strategies.stochastic)."
    return wrapped


def _one_minus_margin(estimator, X, **predict_proba_kwargs):
    return 1.0 - classifier_margin(estimator, X, **predict_proba_kwargs)


def power_entropy_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, beta=1.0,
                           **predict_proba_kwargs):
    """PowerEntropy (Kirsch et al., 2023): a batch drawn with ``p ∝ entropy^beta``.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the class probabilities.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Accepted for the common signature; the draw breaks ties already.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    beta : float, default=1.0
        Exponent of the entropy; 0 draws uniformly.
    **predict_proba_kwargs : dict
        Passed to ``estimator.predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in draw order.
    scores : ndarray of shape (n_instances,)
        Their predictive entropies.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import power_entropy_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> power_entropy_sampling(clf, X, n_instances=4, random_state=0)[0].shape
    (4,)
    """
    return stochastic_sampling(estimator, X, n_instances, random_state=random_state, utility=classifier_entropy,
                               mode="power", beta=beta, **predict_proba_kwargs)


def power_margin_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, beta=1.0,
                          **predict_proba_kwargs):
    """PowerMargin (Kirsch et al., 2023): a batch drawn with ``p ∝ (1 − margin)^beta``.

    The margin is the gap between the two most probable classes, so
    ``1 − margin`` lies in [0, 1] and is largest for the rows top-k margin
    sampling would pick first.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the class probabilities.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Accepted for the common signature; the draw breaks ties already.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    beta : float, default=1.0
        Exponent of ``1 − margin``; 0 draws uniformly.
    **predict_proba_kwargs : dict
        Passed to ``estimator.predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in draw order.
    scores : ndarray of shape (n_instances,)
        Their ``1 − margin``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skal.strategies import power_margin_sampling
    >>> X = np.linspace(-3, 3, 50).reshape(-1, 1)
    >>> nb = GaussianNB().fit(X, (X[:, 0] > 0).astype(int))
    >>> bool(np.abs(X[power_margin_sampling(nb, X, n_instances=3, beta=50.0, random_state=0)[0]]).max() < 1)
    True
    """
    return stochastic_sampling(estimator, X, n_instances, random_state=random_state, utility=_one_minus_margin,
                               mode="power", beta=beta, **predict_proba_kwargs)


def power_bald_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, beta=1.0,
                        mc_samples=20):
    """PowerBALD (Kirsch et al., 2023): a batch drawn with ``p ∝ BALD^beta``.

    A cheap stand-in for :func:`~skal.strategies.batch_bald_sampling`, which
    the paper finds as good at a fraction of the cost. Posterior samples as
    in :func:`~skal.strategies.bald_sampling` (MC dropout or a Committee).

    Parameters
    ----------
    estimator : model with posterior samples, Committee, or ActiveLearner around one
        See :func:`~skal.strategies.representation.mc_probabilities`.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Accepted for the common signature; the draw breaks ties already.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks and the draw.
    beta : float, default=1.0
        Exponent of the BALD score; 0 draws uniformly.
    mc_samples : int, default=20
        MC-dropout forward passes (a Committee uses its members).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in draw order.
    scores : ndarray of shape (n_instances,)
        Their BALD scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import power_bald_sampling
    >>> X = np.arange(30.).reshape(-1, 1); y = (X[:, 0] % 3 == 0).astype(int)
    >>> members = [ActiveLearner(DecisionTreeClassifier(max_depth=d, random_state=0)) for d in (1, 4)]
    >>> power_bald_sampling(Committee(members).fit(X, y), X, n_instances=3, random_state=0)[0].shape
    (3,)
    """
    check_pool(X, n_instances)
    _check_mode_beta("power", beta)
    rng = check_random_state(random_state)
    samples = mc_probabilities(estimator, X, mc_samples=mc_samples, random_state=rng)
    return stochastic_batch(bald(samples), n_instances, mode="power", beta=beta, random_state=rng)
