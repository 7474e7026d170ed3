"""How a multi-label session writes a label set: one canonical string.

In a multi-label session an answer is a set of labels, possibly empty. The
log stores it both as a list (``"labels"``) and as one canonical string
(``"label"``): the names in the session's label order joined with ``;``, and
``""`` for the empty set, so that replay, corrections, conflicts and exports
compare answers as plain strings. In a labels table (``skal teach``) and at
the terminal a set is written ``anger;fear`` (or ``anger fear`` / ``1 3`` at
the prompt), and the empty set is ``-``.

Examples
--------
>>> from skal.labelling.label_sets import canonical, split
>>> canonical(["fear", "anger"], ["anger", "fear", "joy"])
'anger;fear'
>>> split("anger;fear"), split("")
(['anger', 'fear'], [])
"""

import re

__all__ = ["NONE", "SEPARATOR", "canonical", "check_multi_label_names", "split"]

#: Joins the labels of a set in the log and in labels tables.
SEPARATOR = ";"
#: The empty set, in labels tables and at the terminal prompt.
NONE = "-"


def check_multi_label_names(labels):
    """A ValueError when a label name cannot be written in a set (holds ``;`` or is ``-``).

    Parameters
    ----------
    labels : iterable of str
        The label names of a multi-label session.

    Examples
    --------
    >>> from skal.labelling.label_sets import check_multi_label_names
    >>> check_multi_label_names(["a;b", "c"])
    Traceback (most recent call last):
    ...
    ValueError: Label 'a;b' of a multi-label session may not contain ';' nor be '-'.
    """
    for label in labels:
        if SEPARATOR in label or label == NONE:
            raise ValueError(f"Label {label!r} of a multi-label session may not contain {SEPARATOR!r} "
                             f"nor be {NONE!r}.")


def split(value):
    """The labels of a canonical string (``""`` is the empty set).

    Parameters
    ----------
    value : str
        A canonical label-set string (other values are read as their string).

    Returns
    -------
    list of str
        The labels, in the string's order.

    Examples
    --------
    >>> from skal.labelling.label_sets import split
    >>> split("joy")
    ['joy']
    """
    return [part for part in str(value).split(SEPARATOR) if part]


def canonical(value, label_set):
    """An answer as the canonical string of its label set; a ValueError names an unknown label.

    Parameters
    ----------
    value : str or collection of str
        A collection of label names, or a string: ``"-"`` (none), or names
        separated by ``;``, ``,`` or spaces.
    label_set : sequence of str
        The session's labels (their order is kept).

    Returns
    -------
    str
        The names in the session's order joined with ``;`` (``""`` for none).

    Examples
    --------
    >>> from skal.labelling.label_sets import canonical
    >>> canonical("joy; anger", ["anger", "joy"]), canonical("-", ["anger", "joy"]), canonical([], ["a", "b"])
    ('anger;joy', '', '')
    """
    if isinstance(value, str):
        text = value.strip()
        names = [] if text == NONE else [part for part in re.split(r"[;,\s]+", text) if part]
        if not names and text not in (NONE, ""):
            names = [text]
    else:
        names = [str(name).strip() for name in value]
    unknown = sorted(set(names) - set(label_set))
    if unknown:
        raise ValueError(f"Unknown label(s) {unknown}; the labels are {', '.join(label_set)}.")
    chosen = set(names)
    return SEPARATOR.join(label for label in label_set if label in chosen)
