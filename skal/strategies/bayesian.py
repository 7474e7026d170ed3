"""Bayesian strategies: BALD and BatchBALD over posterior samples of the class probabilities.

The samples, an array of shape (n_samples, n_posterior, n_classes), come from
MC dropout (``predict_proba_mc``: dropout kept on at inference, ``mc_samples``
forward passes), from a skorch net's dropout layers, or from a Committee's
members taken as posterior samples; see
:func:`skal.strategies.representation.mc_probabilities`.

:func:`bald` and :func:`batch_bald` are pure functions of those samples;
:func:`bald_sampling` and :func:`batch_bald_sampling` are the query
strategies.
"""

import numpy as np
from scipy.special import entr
from sklearn.utils import check_random_state, gen_batches

from ..data import check_pool
from ..parameters import check_int
from .geometry import argmax_in_order, tie_order
from .representation import check_posterior, mc_probabilities
from .selection import select_top

__all__ = ["bald", "batch_bald", "bald_sampling", "batch_bald_sampling"]

# Largest joint-probability block computed at once (entries), about 32 MB in float64.
_BLOCK_ENTRIES = 2 ** 22


def bald(samples):
    """BALD score: mutual information between a row's label and the model (Houlsby et al., 2011).

    ``I(y; w | x) = H[mean_s p_s] − mean_s H[p_s]``, natural log: high when
    the posterior samples are each confident but disagree with one another,
    zero when they agree, however uncertain they are.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_posterior, n_classes)
        Class probabilities of every pool row under each posterior sample.

    Returns
    -------
    ndarray of shape (n_samples,)
        The mutual information of each row, in nats (non-negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import bald
    >>> agree = [[[0.5, 0.5], [0.5, 0.5]]]; disagree = [[[1.0, 0.0], [0.0, 1.0]]]
    >>> bald(np.r_[agree, disagree]).round(3)
    array([0.   , 0.693])
    """
    P = check_posterior(samples)
    predictive = entr(P.mean(axis=1)).sum(axis=1)
    expected = entr(P).sum(axis=2).mean(axis=1)
    return np.maximum(predictive - expected, 0.0)


def _joint_entropies(joint, P, sampled):
    """``H(y_A, y_i)`` for every pool row ``i``, given ``joint[m, s] = p(y_A = m | w_s)``.

    Exact when ``joint`` lists every configuration of the batch's labels;
    otherwise its rows are configurations drawn from ``p(y_A)`` and the
    entropy is their importance-weighted Monte Carlo estimate.
    """
    n_configs, n_posterior = joint.shape
    n, _, n_classes = P.shape
    config_proba = np.maximum(joint.mean(axis=1), np.finfo(float).tiny)  # p(y_A = m)
    out = np.empty(n)
    for rows in gen_batches(n, max(1, _BLOCK_ENTRIES // (n_configs * n_classes))):
        block = P[rows].transpose(1, 0, 2).reshape(n_posterior, -1)         # (S, b·C)
        pair = (joint @ block / n_posterior).reshape(n_configs, -1, n_classes)  # p(y_A=m, y_i=c)
        nats = entr(pair)
        if sampled:
            out[rows] = (nats / config_proba[:, None, None]).sum(axis=(0, 2)) / n_configs
        else:
            out[rows] = nats.sum(axis=(0, 2))
    return out


def _sample_configurations(P_batch, num_configurations, rng):
    """``joint[m, s] = p(y_A = m | w_s)`` for label configurations ``m`` drawn from ``p(y_A)``.

    As in Kirsch et al.'s implementation: for each posterior sample, draw
    ``num_configurations // n_posterior`` configurations from it, then
    evaluate each configuration under every posterior sample.
    """
    n_batch, n_posterior, n_classes = P_batch.shape
    per_sample = max(1, num_configurations // n_posterior)
    cdf = np.cumsum(P_batch, axis=2)
    u = rng.random_sample((n_batch, n_posterior, per_sample))
    labels = np.minimum((u[..., None] * cdf[:, :, None, -1:] > cdf[:, :, None, :]).sum(axis=-1), n_classes - 1)
    labels = labels.reshape(n_batch, -1)  # configuration m = s * per_sample + r
    log_joint = np.zeros((labels.shape[1], n_posterior))
    with np.errstate(divide="ignore"):
        for j in range(n_batch):  # over the batch's picks, never over pool rows
            log_joint += np.log(P_batch[j][:, labels[j]]).T
    return np.exp(log_joint)


def batch_bald(samples, n_instances=1, num_configurations=1000, random_tie_break=False, random_state=None):
    """Greedy BatchBALD (Kirsch et al., 2019) over posterior samples.

    Each step adds the row maximising the joint mutual information
    ``I(y_1, ..., y_b; w) = H(y_1, ..., y_b) − Σ_j mean_s H(y_j | w_s)`` of
    the batch, so near-duplicates of earlier picks, which add little joint
    information, are passed over. The joint distribution of the picked labels
    is kept per posterior sample as a (configurations × samples) matrix:
    exact while ``n_classes ** batch_size <= num_configurations``, then
    ``num_configurations`` configurations sampled from it (with
    ``random_state``) give an importance-weighted estimate. Candidates are
    scored in chunks, vectorised over pool rows: O(N · configurations ·
    n_posterior · n_classes) per pick.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_posterior, n_classes)
        Class probabilities of every pool row under each posterior sample.
    n_instances : int, default=1
        Size of the batch.
    num_configurations : int, default=1000
        Label configurations kept for the joint entropy.
    random_tie_break : bool, default=False
        Break ties between equal gains at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampled configurations and the tie-breaking.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions in pick order.
    gains : ndarray of shape (n_instances,)
        Each pick's gain in joint mutual information (the first one's is its
        BALD score).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.bayesian import batch_bald
    >>> twin = [[0.99, 0.01], [0.01, 0.99]] * 2
    >>> other = [[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.1, 0.9]]
    >>> batch_bald([twin, twin, other], n_instances=2)[0]
    array([0, 2])
    """
    P = check_posterior(samples)
    n, n_posterior, n_classes = P.shape
    check_pool(P, n_instances)
    check_int(num_configurations, "num_configurations")
    rng = check_random_state(random_state)
    order = tie_order(random_tie_break, rng, n)
    conditional = entr(P).sum(axis=2).mean(axis=1)  # mean_s H(y_i | w_s)
    joint, sampled = np.ones((1, n_posterior)), False
    available = np.ones(n, dtype=bool)
    picks, gains, previous = [], [], 0.0
    for _ in range(n_instances):
        total = _joint_entropies(joint, P, sampled) - conditional - conditional[picks].sum()
        gain = total - previous
        i = argmax_in_order(np.where(available, gain, -np.inf), order)
        picks.append(i)
        gains.append(gain[i])
        previous = total[i]
        available[i] = False
        if len(picks) == n_instances:
            break
        if n_classes ** len(picks) <= num_configurations:
            joint = (joint[:, None, :] * P[i].T[None, :, :]).reshape(-1, n_posterior)
        else:
            joint, sampled = _sample_configurations(P[picks], num_configurations, rng), True
    return np.asarray(picks, dtype=np.intp), np.asarray(gains, dtype=float)


def bald_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, mc_samples=20):
    """Query the rows whose label the posterior samples disagree on most (BALD).

    Parameters
    ----------
    estimator : model with posterior samples, Committee, or ActiveLearner around one
        A fitted model with ``predict_proba_mc``, a skorch net with dropout,
        or a Committee (its members are the posterior samples).
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks and the tie-breaking.
    mc_samples : int, default=20
        MC-dropout forward passes (at least 2; a Committee uses its members).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their BALD scores.

    Notes
    -----
    Top-k BALD picks near-duplicates for large batches; prefer
    :func:`batch_bald_sampling` when ``n_instances`` is more than a few.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import bald_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0).astype(int)
    >>> committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 100.)]).fit(X, y)
    >>> bald_sampling(committee, X, n_instances=2)[0].shape
    (2,)
    """
    check_pool(X, n_instances)
    samples = mc_probabilities(estimator, X, mc_samples=mc_samples, random_state=random_state)
    return select_top(bald(samples), n_instances, random_tie_break, random_state)


def batch_bald_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, mc_samples=20,
                        num_configurations=1000):
    """Query a batch with the most joint information about the model (BatchBALD).

    See :func:`batch_bald` for the method and :func:`bald_sampling` for the
    estimators it takes.

    Parameters
    ----------
    estimator : model with posterior samples, Committee, or ActiveLearner around one
        As for :func:`bald_sampling`.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Size of the batch.
    random_tie_break : bool, default=False
        Break ties between equal gains at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks and the sampled configurations.
    mc_samples : int, default=20
        MC-dropout forward passes (at least 2; a Committee uses its members).
    num_configurations : int, default=1000
        Label configurations kept for the joint entropy (see :func:`batch_bald`).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in pick order.
    gains : ndarray of shape (n_instances,)
        Each pick's gain in joint mutual information.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import batch_bald_sampling
    >>> X = np.arange(40.).reshape(-1, 1); y = (X[:, 0] % 4 == 0).astype(int)
    >>> committee = Committee([ActiveLearner(DecisionTreeClassifier(max_depth=d, random_state=0))
    ...                        for d in (1, 2, 6)]).fit(X, y)
    >>> idx, gains = batch_bald_sampling(committee, X, n_instances=3, random_state=0)
    >>> len(set(idx.tolist())), bool(gains[0] >= gains[-1])
    (3, True)
    """
    check_pool(X, n_instances)
    rng = check_random_state(random_state)
    samples = mc_probabilities(estimator, X, mc_samples=mc_samples, random_state=rng)
    return batch_bald(samples, n_instances, num_configurations=num_configurations,
                      random_tie_break=random_tie_break, random_state=rng)
