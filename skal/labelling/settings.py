"""The settings of a session (label set, strategy, batch size, classifier), checked.

Examples
--------
>>> from skal.labelling.settings import check_label_set
>>> check_label_set("pos, neg")
['pos', 'neg']
"""

import numpy as np

from .. import strategies as _strategies
from ..presets import PRESETS
from ..strategies import committee as _committee_strategies

__all__ = ["RESERVED_ANSWERS", "check_label_set", "check_settings", "get_strategy", "strategy_names"]

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


def check_label_set(labels):
    """The label set as a list of names; a ValueError for an empty, repeated or reserved name.

    Examples
    --------
    >>> from skal.labelling.settings import check_label_set
    >>> check_label_set(["pos", "s"])
    Traceback (most recent call last):
    ...
    ValueError: Label 's' clashes with a terminal command (s/skip, u/undo, q/quit); rename it.
    """
    if isinstance(labels, str):
        labels = labels.split(",")
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
    return labels


def check_settings(**settings):
    """The settings that are not None, validated, as stored in ``session.json``.

    Examples
    --------
    >>> from skal.labelling.settings import check_settings
    >>> check_settings(batch_size=5, strategy=None)
    {'batch_size': 5}
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    if "strategy" in settings:
        get_strategy(settings["strategy"])
    batch_size = settings.get("batch_size", 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if "batch_size" in settings:
        settings["batch_size"] = int(batch_size)
    if settings.get("classifier", PRESETS[0]) not in PRESETS:
        raise ValueError(f"Unknown classifier {settings['classifier']!r}; choose one of {', '.join(PRESETS)}.")
    for key in ("model", "cache_dir"):
        if key in settings:
            settings[key] = str(settings[key])
    return settings
