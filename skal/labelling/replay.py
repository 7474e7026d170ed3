"""The pure replay of a session's events into its label state.

:class:`LabelState` reads nothing and writes nothing: fed the events of the
log in order (:meth:`LabelState.apply`), it holds the labels, the skipped
rows, who did what and when, and what an undo would take back. The log is
the truth; this is its meaning.

Three kinds of event:

``label``
    ``id`` gets ``label``. On a row labelled already it is a correction
    (the earlier label is kept in the row's history).
``skip``
    ``id`` is set aside (not shown again in the terminal or the browser).
``undo``
    Takes back the latest label or skip of ``id`` still in effect, restoring
    what the row held before it. ``undo()`` of a session undoes the last
    action of anyone; an annotator's undo takes back that annotator's last
    action, when nobody changed the row since.

Every event carries ``time`` and ``source``, and ``annotator`` when known.

Examples
--------
>>> from skal.labelling.replay import LabelState
>>> state = LabelState()
>>> for event in [{"event": "label", "id": "1", "label": "pos", "annotator": "ann"},
...               {"event": "label", "id": "2", "label": "neg", "annotator": "bob"},
...               {"event": "label", "id": "1", "label": "neg", "annotator": "bob"},
...               {"event": "undo", "id": "2"}]:
...     state.apply(event)
>>> state.labels, state.current["1"]["annotator"]
({'1': 'neg'}, 'bob')
"""

__all__ = ["LabelState"]


class LabelState:
    """Labels, skips and their history, replayed from events.

    Parameters
    ----------
    where : str, default="the label log"
        Named in the errors of a log that cannot be replayed.

    Attributes
    ----------
    labels : dict
        ``{row id: label}`` in the order rows were first labelled.
    skipped : set of row ids
    current : dict
        ``{row id: the label event in effect}``.
    undone : list of row ids
        Rows whose last label or skip was undone, most recent last.
    events : list of dict
        Every label and skip event, in log order, each with ``undone``
        (bool) and ``seq`` (its position among them) added.

    Examples
    --------
    >>> from skal.labelling.replay import LabelState
    >>> state = LabelState()
    >>> state.apply({"event": "skip", "id": "4"})
    >>> state.skipped, state.last_action()
    ({'4'}, '4')
    """

    def __init__(self, where="the label log"):
        self.where = where
        self.labels = {}
        self.skipped = set()
        self.current = {}
        self.undone = []
        self.events = []
        self._stack = []  # (row, previous label event or None, was skipped, event) in effect

    def apply(self, event):
        """Replay one event.

        Parameters
        ----------
        event : dict
            An event as written in the log (``event``, ``id``, and
            ``label`` for a label event).

        Examples
        --------
        >>> from skal.labelling.replay import LabelState
        >>> state = LabelState()
        >>> state.apply({"event": "label", "id": 3, "label": "pos"})
        >>> state.labels
        {'3': 'pos'}
        """
        kind, row = event["event"], str(event["id"])
        if kind == "undo":
            self._undo(row)
            return
        record = {**event, "id": row, "undone": False, "seq": len(self.events)}
        self.events.append(record)
        self._stack.append((row, self.current.get(row), row in self.skipped, record))
        if kind == "label":
            self.labels[row] = str(event["label"])
            self.current[row] = record
            self.skipped.discard(row)
        else:
            self.skipped.add(row)

    def _undo(self, row):
        if not self._stack:
            raise ValueError(f"{self.where}: an undo event with nothing to undo (id {row}).")
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == row:
                break
        else:
            raise ValueError(f"{self.where}: an undo event for id {row}, which holds no label or skip to "
                             "undo; the log was edited out of order.")
        _, previous, was_skipped, record = self._stack.pop(depth)
        record["undone"] = True
        if previous is None:
            self.labels.pop(row, None)
            self.current.pop(row, None)
        else:
            self.labels[row] = str(previous["label"])
            self.current[row] = previous
        (self.skipped.add if was_skipped else self.skipped.discard)(row)
        self.undone.append(row)

    def last_action(self, annotator=None):
        """Row id of the last label or skip still in effect (of ``annotator`` when given), or None.

        An annotator's last action is only undoable while it is the latest
        action on its row; when someone else changed the row since, a
        ValueError says so.

        Parameters
        ----------
        annotator : str, default=None
            Whose last action; None is anyone's.

        Returns
        -------
        str or None
            The row id, or None when there is nothing to undo.

        Examples
        --------
        >>> from skal.labelling.replay import LabelState
        >>> state = LabelState()
        >>> state.apply({"event": "label", "id": "1", "label": "pos", "annotator": "ann"})
        >>> state.apply({"event": "skip", "id": "2", "annotator": "bob"})
        >>> state.last_action(), state.last_action("ann"), state.last_action("eve")
        ('2', '1', None)
        """
        for depth in range(len(self._stack) - 1, -1, -1):
            row, _, _, record = self._stack[depth]
            if annotator is None or record.get("annotator") == annotator:
                later = [e for r, _, _, e in self._stack[depth + 1:] if r == row]
                if later:
                    other = later[-1].get("annotator") or "someone"
                    raise ValueError(f"Row {row!r} was changed since by {other}; correct it from the "
                                     "history instead of undoing.")
                return row
        return None
