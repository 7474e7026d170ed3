"""The settings of a session (label set, strategy, batch size, classifier), checked.

Examples
--------
>>> from skal.labelling.settings import check_label_set
>>> check_label_set("pos, neg")
['pos', 'neg']
"""

import csv

from ..models import load_checkpoint
from ..parameters import InvalidParameterError, check_int, check_option
from ..presets import PRESETS
from ..strategies import registry
from .label_sets import check_multi_label_names

__all__ = ["RESERVED_ANSWERS", "check_label_set", "check_combination", "check_random_state", "check_settings",
           "check_strategy_kind", "get_strategy", "parse_labels", "strategy_names"]

#: Presets whose models give posterior samples (MC dropout), which the Bayesian strategies need.
POSTERIOR_PRESETS = ("finetune",)
#: Presets that load a transformer checkpoint (the only ones ``model`` applies to): all but TF-IDF.
CHECKPOINT_PRESETS = tuple(preset for preset in PRESETS if preset != "tfidf")

#: Answers the terminal reads as commands, so no label may be named so.
RESERVED_ANSWERS = {"s": "skip", "skip": "skip", "u": "undo", "undo": "undo", "q": "quit", "quit": "quit"}

#: Largest seed numpy's RandomState takes.
MAX_RANDOM_STATE = 2**32 - 1


def strategy_names(multi_label=None):
    """Query strategies a session (and ``skal simulate``) can use by name: ``"uncertainty"``, ``"coreset"``...

    The names of :func:`skal.strategies.registry.strategy_names` without the
    committee ones (a session trains one model); the Bayesian ones (``bald``,
    ``batch_bald``, ``power_bald``) need the ``"finetune"`` classifier.

    Parameters
    ----------
    multi_label : bool or None, default=None
        True for the strategies of multi-label sessions, False for
        single-label ones, None for both.

    Returns
    -------
    list of str
        The names, sorted, without the ``_sampling`` suffix.

    Examples
    --------
    >>> from skal.labelling import strategy_names
    >>> "uncertainty" in strategy_names() and "vote_entropy" not in strategy_names()
    True
    >>> "margin" in strategy_names(multi_label=True)
    False
    """
    return registry.strategy_names(committee=False, multi_label=multi_label)


def get_strategy(name):
    """The function of the single-model strategy named ``name`` (with or without ``_sampling``).

    Looked up in :data:`skal.strategies.registry.STRATEGIES`; the committee
    strategies are refused, a session (like ``skal simulate``) trains one model.

    Parameters
    ----------
    name : str
        One of :func:`strategy_names`.

    Returns
    -------
    callable
        The query strategy.

    Raises
    ------
    ValueError
        For any other name, listing the names a session takes.

    Examples
    --------
    >>> from skal.labelling.settings import get_strategy
    >>> get_strategy("margin").__name__
    'margin_sampling'
    >>> get_strategy("vote_entropy")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown strategy 'vote_entropy'; choose from: anchoral, badge, bald, ...
    """
    available = strategy_names()
    if not isinstance(name, str) or name.removesuffix("_sampling") not in available:
        raise ValueError(f"Unknown strategy {name!r}; choose from: {', '.join(available)}.")
    return registry.resolve_strategy(name)


def _setting(check, value, name, expected, *bounds):
    """``check(value, name, *bounds)`` (skal.parameters), its error worded for the command line's user."""
    try:
        return check(value, name, *bounds)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}.") from exc


def check_label_set(labels, multi_label=False):
    """The label set as a list of names; a ValueError for an empty, repeated or reserved name.

    A multi-label session also refuses names that cannot be written in a set
    (:func:`skal.labelling.label_sets.check_multi_label_names`).

    Parameters
    ----------
    labels : str or sequence of str
        The names, or one comma-separated string (:func:`parse_labels`).
    multi_label : bool, default=False
        Also refuse names a multi-label session cannot store.

    Returns
    -------
    list of str
        The names, whitespace stripped.

    Raises
    ------
    ValueError
        For an empty, repeated or reserved name, or fewer than two.

    Examples
    --------
    >>> from skal.labelling.settings import check_label_set
    >>> check_label_set(["pos", "s"])
    Traceback (most recent call last):
    ...
    ValueError: Label 's' clashes with a terminal command (s/skip, u/undo, q/quit); rename it.
    """
    if isinstance(labels, str):
        labels = parse_labels(labels)
    labels = [str(label).strip() for label in labels]
    if any(not label for label in labels):
        raise ValueError(f"Empty label name in {labels}; give labels like 'pos,neg'.")
    if len(set(labels)) != len(labels):
        raise ValueError(f"Duplicate label names in {labels}.")
    if len(labels) < 2:
        raise ValueError(f"A classifier needs at least two labels, got {labels}.")
    clash = [label for label in labels if label.lower() in RESERVED_ANSWERS]
    if clash:
        raise ValueError(f"Label {clash[0]!r} clashes with a terminal command (s/skip, u/undo, q/quit); "
                         "rename it.")
    if multi_label:
        check_multi_label_names(labels)
    return labels


def parse_labels(text):
    """A comma-separated label list read as one CSV row, so a quoted label may hold commas.

    Parameters
    ----------
    text : str
        The list, e.g. ``'pos, neg'``.

    Returns
    -------
    list of str
        The labels, whitespace stripped.

    Examples
    --------
    >>> from skal.labelling.settings import parse_labels
    >>> parse_labels('"good, really",bad')
    ['good, really', 'bad']
    """
    rows = list(csv.reader([text], skipinitialspace=True))
    return [label.strip() for label in rows[0]] if rows else []


def check_random_state(random_state):
    """The seed as an int in ``[0, 2**32 - 1]`` (what numpy takes); a ValueError otherwise.

    Parameters
    ----------
    random_state : int
        The seed of a new session.

    Returns
    -------
    int
        The seed.

    Raises
    ------
    InvalidParameterError
        A ValueError naming ``random_state`` for a bool, a non-integer or an
        integer out of range.

    Examples
    --------
    >>> from skal.labelling.settings import check_random_state
    >>> check_random_state(7)
    7
    >>> check_random_state(-1)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: random_state must be an integer between 0 and 4294967295, got -1.
    """
    return int(_setting(check_int, random_state, "random_state", "an integer between 0 and "
                        f"{MAX_RANDOM_STATE}", 0, MAX_RANDOM_STATE))


def check_combination(strategy, classifier, model):
    """The strategy and model fit the classifier preset; a ValueError saying what works otherwise.

    Parameters
    ----------
    strategy : str or None
        A name of :func:`strategy_names`; None skips the strategy check.
    classifier : str
        The classifier preset, one of :data:`skal.presets.PRESETS`.
    model : str or None
        A Hugging Face checkpoint directory; it is opened, so a missing or
        broken one fails now.

    Raises
    ------
    ValueError
        For a strategy needing posterior samples with a preset that gives
        none, or a checkpoint with a preset that loads none.

    Examples
    --------
    >>> from skal.labelling.settings import check_combination
    >>> check_combination("margin", "tfidf", None)
    >>> check_combination("bald", "tfidf", None)
    Traceback (most recent call last):
    ...
    ValueError: Strategy 'bald' needs posterior samples (MC dropout), which only the 'finetune' classifier gives; use --classifier finetune with it, or another strategy (e.g. 'uncertainty') with 'tfidf'.
    """
    if strategy is not None and classifier not in POSTERIOR_PRESETS:
        get_strategy(strategy)  # an unknown name fails first
        if registry.get_strategy(strategy).posterior:
            raise ValueError(f"Strategy {strategy!r} needs posterior samples (MC dropout), which only the "
                             f"{' or '.join(map(repr, POSTERIOR_PRESETS))} classifier gives; use "
                             f"--classifier finetune with it, or another strategy (e.g. 'uncertainty') with "
                             f"{classifier!r}.")
    if model is not None:
        if classifier not in CHECKPOINT_PRESETS:
            raise ValueError(f"A model checkpoint is used by the {', '.join(CHECKPOINT_PRESETS)} classifiers, "
                             f"not by {classifier!r}; drop --model or choose one of those.")
        from transformers import AutoConfig

        load_checkpoint(AutoConfig, model)  # a missing or broken checkpoint fails now, not at the first retrain


def check_strategy_kind(strategy, multi_label):
    """A ValueError when a strategy does not fit the session's kind (single- or multi-label).

    Parameters
    ----------
    strategy : str
        A name of :func:`strategy_names`.
    multi_label : bool
        Whether the session is multi-label.

    Raises
    ------
    ValueError
        For an unknown strategy, a single-label one in a multi-label session
        or a multi-label one in a single-label session.

    Examples
    --------
    >>> from skal.labelling.settings import check_strategy_kind
    >>> check_strategy_kind("coreset", multi_label=True)
    >>> check_strategy_kind("margin", multi_label=True)
    Traceback (most recent call last):
    ...
    ValueError: Strategy 'margin' is single-label; a multi-label session takes one of: ...
    """
    get_strategy(strategy)  # an unknown name fails first
    if strategy.removesuffix("_sampling") in strategy_names(multi_label=bool(multi_label)):
        return
    if multi_label:
        raise ValueError(f"Strategy {strategy!r} is single-label; a multi-label session takes one of: "
                         f"{', '.join(strategy_names(multi_label=True))}.")
    raise ValueError(f"Strategy {strategy!r} is for multi-label sessions (start one with --multi-label).")


def check_settings(classifier_default=PRESETS[0], multi_label=False, **settings):
    """The settings that are not None, validated, as stored in ``session.json``.

    Parameters
    ----------
    classifier_default : str, default=PRESETS[0]
        The classifier in force when ``classifier`` is not given (the stored
        one, for an existing session): the strategy and the model are checked
        against it.
    multi_label : bool, default=False
        Whether the session is multi-label (which strategies it takes).
    **settings : dict
        ``strategy``, ``batch_size`` (int >= 1), ``classifier`` (a preset),
        ``model`` and ``cache_dir`` (paths); None values are left out.

    Returns
    -------
    dict
        The settings given, checked (``batch_size`` an int, paths as str).

    Raises
    ------
    ValueError
        Naming the setting that is wrong.

    Examples
    --------
    >>> from skal.labelling.settings import check_settings
    >>> check_settings(batch_size=5, strategy=None)
    {'batch_size': 5}
    >>> check_settings(batch_size=0)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: batch_size must be a positive integer, got 0.
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    if "strategy" in settings:
        check_strategy_kind(settings["strategy"], multi_label)
    if "batch_size" in settings:
        settings["batch_size"] = int(_setting(check_int, settings["batch_size"], "batch_size", "a positive integer"))
    classifier = settings.get("classifier", classifier_default)
    try:
        check_option(classifier, "classifier", PRESETS)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"Unknown classifier {classifier!r}; choose one of {', '.join(PRESETS)}.") from exc
    for key in ("model", "cache_dir"):
        if key in settings:
            settings[key] = str(settings[key])
    check_combination(settings.get("strategy"), classifier, settings.get("model"))
    return settings
