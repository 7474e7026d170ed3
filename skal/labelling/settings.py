"""The settings of a session (label set, strategy, batch size, classifier), checked.

Examples
--------
>>> from skal.labelling.settings import check_label_set
>>> check_label_set("pos, neg")
['pos', 'neg']
"""

import csv

import numpy as np

from .. import strategies as _strategies
from ..models import load_checkpoint
from ..presets import PRESETS
from ..targets import MULTILABEL_STRATEGIES
from ..strategies import bayesian as _bayesian_strategies
from ..strategies import committee as _committee_strategies
from ..strategies import multilabel as _multilabel_strategies
from .label_sets import check_multi_label_names

__all__ = ["RESERVED_ANSWERS", "check_label_set", "check_combination", "check_random_state", "check_settings", "get_strategy",
           "parse_labels", "strategy_names"]

#: Presets whose models give posterior samples (MC dropout), which the Bayesian strategies need.
POSTERIOR_PRESETS = ("finetune",)
#: Presets that load a transformer checkpoint (the only ones ``model`` applies to): all but TF-IDF.
CHECKPOINT_PRESETS = tuple(preset for preset in PRESETS if preset != "tfidf")

#: Answers the terminal reads as commands, so no label may be named so.
RESERVED_ANSWERS = {"s": "skip", "skip": "skip", "u": "undo", "undo": "undo", "q": "quit", "quit": "quit"}


def strategy_names():
    """Query strategies a session can use by name: ``"uncertainty"``, ``"entropy"``, ``"coreset"``...

    Committee strategies are left out (a session trains one model); the
    Bayesian ones (``bald``, ``batch_bald``) need the ``"finetune"`` classifier.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from skal.labelling import strategy_names
    >>> "uncertainty" in strategy_names() and "vote_entropy" not in strategy_names()
    True
    """
    committee_only = set(_committee_strategies.__all__)
    return sorted(n[: -len("_sampling")] for n in _strategies.__all__
                  if n.endswith("_sampling") and n not in committee_only)


def get_strategy(name):
    """The strategy function named ``name`` (with or without ``_sampling``).

    Examples
    --------
    >>> from skal.labelling.settings import get_strategy
    >>> get_strategy("margin").__name__
    'margin_sampling'
    """
    key = name.removesuffix("_sampling")
    if key not in strategy_names():
        raise ValueError(f"Unknown strategy {name!r}; choose from: {', '.join(strategy_names())}.")
    return getattr(_strategies, f"{key}_sampling")


def check_label_set(labels, multi_label=False):
    """The label set as a list of names; a ValueError for an empty, repeated or reserved name.

    A multi-label session also refuses names that cannot be written in a set
    (:func:`skal.labelling.label_sets.check_multi_label_names`).

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

    Examples
    --------
    >>> from skal.labelling.settings import check_random_state
    >>> check_random_state(-1)
    Traceback (most recent call last):
    ...
    ValueError: random_state must be an integer between 0 and 4294967295, got -1.
    """
    if (isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))
            or not 0 <= random_state <= np.iinfo(np.uint32).max):
        raise ValueError(f"random_state must be an integer between 0 and {np.iinfo(np.uint32).max}, "
                         f"got {random_state!r}.")
    return int(random_state)


def check_combination(strategy, classifier, model):
    """The strategy and model fit the classifier preset; a ValueError saying what works otherwise.

    Examples
    --------
    >>> from skal.labelling.settings import check_combination
    >>> check_combination("bald", "tfidf", None)
    Traceback (most recent call last):
    ...
    ValueError: Strategy 'bald' needs posterior samples (MC dropout), which only the 'finetune' classifier gives; use --classifier finetune with it, or another strategy (e.g. 'uncertainty') with 'tfidf'.
    """
    if strategy is not None and classifier not in POSTERIOR_PRESETS:
        key = get_strategy(strategy).__name__
        if key in _bayesian_strategies.__all__:
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

    Examples
    --------
    >>> from skal.labelling.settings import check_strategy_kind
    >>> check_strategy_kind("margin", multi_label=True)
    Traceback (most recent call last):
    ...
    ValueError: Strategy 'margin' is single-label; a multi-label session takes one of: ...
    """
    name = get_strategy(strategy).__name__
    multi = sorted(n.removesuffix("_sampling") for n in MULTILABEL_STRATEGIES
                   if n.removesuffix("_sampling") in strategy_names())
    if multi_label and name not in MULTILABEL_STRATEGIES:
        raise ValueError(f"Strategy {strategy!r} is single-label; a multi-label session takes one of: "
                         f"{', '.join(multi)}.")
    if not multi_label and name in _multilabel_strategies.__all__:
        raise ValueError(f"Strategy {strategy!r} is for multi-label sessions (start one with --multi-label).")


def check_settings(classifier_default=PRESETS[0], multi_label=False, **settings):
    """The settings that are not None, validated, as stored in ``session.json``.

    Examples
    --------
    >>> from skal.labelling.settings import check_settings
    >>> check_settings(batch_size=5, strategy=None)
    {'batch_size': 5}

    ``classifier_default`` is the classifier in force when ``classifier`` is
    not given (the stored one, for an existing session): the strategy and the
    model are checked against it.
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    if "strategy" in settings:
        check_strategy_kind(settings["strategy"], multi_label)
    batch_size = settings.get("batch_size", 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if "batch_size" in settings:
        settings["batch_size"] = int(batch_size)
    classifier = settings.get("classifier", classifier_default)
    if classifier not in PRESETS:
        raise ValueError(f"Unknown classifier {classifier!r}; choose one of {', '.join(PRESETS)}.")
    for key in ("model", "cache_dir"):
        if key in settings:
            settings[key] = str(settings[key])
    check_combination(settings.get("strategy"), classifier, settings.get("model"))
    return settings
