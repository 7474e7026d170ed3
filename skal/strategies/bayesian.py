"""Bayesian strategies: BALD and BatchBALD over posterior samples of the class probabilities.

Samples come from MC dropout (``predict_proba_mc``) or from a committee's
members; see :func:`skal.strategies.representation.mc_probabilities`.
"""

import numpy as np
from scipy.stats import entropy as _entropy
from sklearn.utils import check_random_state

from ..data import check_pool
from .representation import mc_probabilities
from .selection import select_top

__all__ = ["bald", "bald_sampling", "batch_bald_sampling"]


def bald(samples):
    """Mutual information between label and model, H[E_s p_s] − E_s H[p_s], per row.

    Parameters
    ----------
    samples : ndarray of shape (n_samples, n_draws, n_classes)
    """
    samples = np.asarray(samples, dtype=np.float64)
    return _entropy(samples.mean(axis=1), axis=1) - _entropy(samples, axis=2).mean(axis=1)


def bald_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, mc_samples=20):
    """Query the rows where the posterior samples disagree most (Houlsby et al., 2011).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import bald
    >>> agree = [[[0.5, 0.5], [0.5, 0.5]]]; disagree = [[[1.0, 0.0], [0.0, 1.0]]]
    >>> bald(np.r_[agree, disagree]).round(3)
    array([0.   , 0.693])
    """
    check_pool(X, n_instances)
    scores = bald(mc_probabilities(estimator, X, mc_samples, random_state))
    return select_top(scores, n_instances, random_tie_break, random_state)


def batch_bald_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, mc_samples=20,
                        num_configurations=1000, chunk_size=4096):
    """BatchBALD (Kirsch et al., 2019): greedily maximise the batch's joint mutual information.

    The joint distribution of the picked labels is kept per posterior sample
    as a (draws × configurations) matrix; it is exact while there are at most
    ``num_configurations`` label configurations, and then replaced by that
    many configurations sampled from it (importance-weighted estimate, with
    ``random_state``). Candidates are scored in chunks of ``chunk_size`` rows.

    Returns the picks in order and each pick's marginal gain in joint mutual
    information.
    """
    check_pool(X, n_instances)
    rng = check_random_state(random_state)
    probs = mc_probabilities(estimator, X, mc_samples, random_state).astype(np.float64)
    n, draws, n_classes = probs.shape
    conditional = _entropy(probs, axis=2).mean(axis=1)
    joint = np.ones((draws, 1))
    sampled = False
    picks, gains, previous = [], [], 0.0
    available = np.ones(n, dtype=bool)
    for _ in range(n_instances):
        config_mean = joint.mean(axis=0)
        joint_entropy = np.empty(n)
        for lo in range(0, n, chunk_size):
            p = np.einsum("sm,nsc->nmc", joint, probs[lo:lo + chunk_size]) / draws
            logp = np.log(np.where(p > 0, p, 1.0))
            if sampled:
                joint_entropy[lo:lo + chunk_size] = -(p / config_mean[None, :, None] * logp).sum((1, 2)) / p.shape[1]
            else:
                joint_entropy[lo:lo + chunk_size] = -(p * logp).sum((1, 2))
        total = joint_entropy - conditional - sum(conditional[j] for j in picks)
        score = np.where(available, total - previous, -np.inf)
        i = int(np.argmax(score))
        picks.append(i)
        gains.append(float(score[i]))
        previous = float(total[i])
        available[i] = False
        joint = (joint[:, :, None] * probs[i][:, None, :]).reshape(draws, -1)
        if joint.shape[1] > num_configurations:
            weights = joint.mean(axis=0)
            keep = rng.choice(joint.shape[1], size=num_configurations, p=weights / weights.sum())
            joint, sampled = joint[:, keep], True
    return np.asarray(picks), np.asarray(gains)
