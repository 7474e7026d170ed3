"""One table from strategy name to function, for the CLI, the labelling session and the Python API.

Every name is the function's without ``_sampling`` (``"margin"`` is
:func:`~skal.strategies.margin_sampling`), and each entry says what the
strategy needs: one model or a committee, single- or multi-label targets,
posterior samples (MC dropout) or not. ``ActiveLearner(query_strategy="margin")``,
``skal simulate --strategy margin`` and ``skal label --strategy margin`` all
look names up here, so they accept the same names and refuse the others with
the same message.
"""

from dataclasses import dataclass

from . import (
    bayesian,
    cold_start,
    committee,
    contrastive,
    discriminative,
    diversity,
    model_change,
    multilabel,
    neighbours,
    random,
    stochastic,
    subsampling,
    uncertainty,
)

__all__ = ["StrategyEntry", "STRATEGIES", "get_strategy", "resolve_strategy", "strategy_names"]


@dataclass(frozen=True)
class StrategyEntry:
    """What a named strategy is and what it needs.

    Parameters
    ----------
    function : callable
        ``strategy(estimator, X, n_instances=1, **kw) -> (indices, scores)``.
    committee : bool, default=False
        The strategy scores a committee's disagreement, so it needs a :class:`~skal.Committee`.
    targets : {"single", "multi", "both"}, default="single"
        The kind of classification it is written for.
    posterior : bool, default=False
        It needs posterior samples (``predict_proba_samples``, MC dropout).

    Examples
    --------
    >>> from skal.strategies.registry import STRATEGIES
    >>> STRATEGIES["bald"].posterior, STRATEGIES["vote_entropy"].committee
    (True, True)
    """

    function: object
    committee: bool = False
    targets: str = "single"
    posterior: bool = False


STRATEGIES = {
    "random": StrategyEntry(random.random_sampling, targets="both"),
    "uncertainty": StrategyEntry(uncertainty.uncertainty_sampling),
    "margin": StrategyEntry(uncertainty.margin_sampling),
    "entropy": StrategyEntry(uncertainty.entropy_sampling),
    "vote_entropy": StrategyEntry(committee.vote_entropy_sampling, committee=True),
    "consensus_entropy": StrategyEntry(committee.consensus_entropy_sampling, committee=True),
    "max_disagreement": StrategyEntry(committee.max_disagreement_sampling, committee=True),
    "max_std": StrategyEntry(committee.max_std_sampling, committee=True),
    "coreset": StrategyEntry(diversity.coreset_sampling, targets="both"),
    "kmeans": StrategyEntry(diversity.kmeans_sampling, targets="both"),
    "uncertainty_batch": StrategyEntry(diversity.uncertainty_batch_sampling),
    "information_density": StrategyEntry(diversity.information_density_sampling),
    "bald": StrategyEntry(bayesian.bald_sampling, posterior=True),
    "batch_bald": StrategyEntry(bayesian.batch_bald_sampling, posterior=True),
    "power_bald": StrategyEntry(stochastic.power_bald_sampling, posterior=True),
    "expected_gradient_length": StrategyEntry(model_change.expected_gradient_length_sampling),
    "badge": StrategyEntry(model_change.badge_sampling, targets="both"),
    "subsampled": StrategyEntry(subsampling.subsampled_sampling),
    "mean_entropy": StrategyEntry(multilabel.mean_entropy_sampling, targets="multi"),
    "label_cardinality": StrategyEntry(multilabel.label_cardinality_sampling, targets="multi"),
    "cvirs": StrategyEntry(multilabel.cvirs_sampling, targets="multi"),
    "multilabel_batch": StrategyEntry(multilabel.multilabel_batch_sampling, targets="multi"),
    "contrastive": StrategyEntry(contrastive.contrastive_sampling),
    "discriminative": StrategyEntry(discriminative.discriminative_sampling),
    "typiclust": StrategyEntry(cold_start.typiclust_sampling),
    "probcover": StrategyEntry(cold_start.probcover_sampling),
    "stochastic": StrategyEntry(stochastic.stochastic_sampling),
    "power_entropy": StrategyEntry(stochastic.power_entropy_sampling),
    "power_margin": StrategyEntry(stochastic.power_margin_sampling),
    "seals": StrategyEntry(neighbours.seals_sampling),
    "anchoral": StrategyEntry(neighbours.anchoral_sampling),
}


def strategy_names(*, committee=False, multi_label=None, posterior=True):
    """Names of the registered strategies, sorted, filtered by what the caller can run.

    Parameters
    ----------
    committee : bool, default=False
        Include the committee-only strategies (``vote_entropy``, ...).
    multi_label : bool or None, default=None
        True keeps the strategies for multi-label models, False those for
        single-label ones, None keeps both kinds.
    posterior : bool, default=True
        Include the strategies that need posterior samples (``bald``, ...).

    Returns
    -------
    list of str
        Names without the ``_sampling`` suffix.

    Examples
    --------
    >>> from skal.strategies.registry import strategy_names
    >>> strategy_names(multi_label=True)
    ['badge', 'coreset', 'cvirs', 'kmeans', 'label_cardinality', 'mean_entropy', 'multilabel_batch', 'random']
    >>> "vote_entropy" in strategy_names(), "vote_entropy" in strategy_names(committee=True)
    (False, True)
    """
    wanted = {None: ("single", "multi", "both"), True: ("multi", "both"), False: ("single", "both")}
    return sorted(name for name, entry in STRATEGIES.items()
                  if (committee or not entry.committee) and (posterior or not entry.posterior)
                  and entry.targets in wanted[multi_label])


def get_strategy(name):
    """The registry entry for ``name`` (with or without the ``_sampling`` suffix).

    Parameters
    ----------
    name : str
        A name from :func:`strategy_names` (``committee=True``), e.g. ``"margin"``.

    Returns
    -------
    StrategyEntry
        The function and what it needs.

    Raises
    ------
    ValueError
        For a name that is not registered, listing the names that are.

    Examples
    --------
    >>> from skal.strategies.registry import get_strategy
    >>> get_strategy("margin_sampling").function.__name__
    'margin_sampling'
    >>> get_strategy("marginal")
    Traceback (most recent call last):
    ...
    ValueError: Unknown query strategy 'marginal'; choose one of: anchoral, badge, ...
    """
    key = name.removesuffix("_sampling") if isinstance(name, str) else name
    if not isinstance(key, str) or key not in STRATEGIES:
        raise ValueError(f"Unknown query strategy {name!r}; choose one of: "
                         f"{', '.join(strategy_names(committee=True))}.")
    return STRATEGIES[key]


def resolve_strategy(strategy):
    """The function for ``strategy``: a callable as it is, a registered name looked up.

    Parameters
    ----------
    strategy : callable or str
        A query strategy, or its registered name.

    Returns
    -------
    callable
        The query strategy.

    Examples
    --------
    >>> from skal.strategies.registry import resolve_strategy
    >>> from skal.strategies import entropy_sampling
    >>> resolve_strategy("entropy") is entropy_sampling is resolve_strategy(entropy_sampling)
    True
    """
    return strategy if callable(strategy) else get_strategy(strategy).function
