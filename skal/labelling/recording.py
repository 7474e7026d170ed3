"""Recording answers: a label, a correction, a skip or an undo, each an event on disk before the call returns.

:class:`SessionRecording` is the writing side of
:class:`~skal.labelling.LabellingSession`. Each method checks its
arguments (writing nothing when they are wrong), then hands the event log a
function that decides, under the log's exclusive lock and against the labels
as other processes left them, which events to append
(:meth:`skal.labelling.storage.EventLog.write`).

Examples
--------
>>> from skal.labelling.demo import demo_session
>>> session = demo_session()
>>> session.record("0", "pos")
>>> session.skip("1")
>>> session.undo(), session.skipped
('1', set())
"""

from . import label_sets
from .errors import AlreadyLabelledError
from .pool import text_digest
from .storage import now

__all__ = ["SessionRecording"]


class SessionRecording:
    """The answers of a :class:`~skal.labelling.LabellingSession` (a part of it, not used alone).

    It writes through the attributes the session sets up: ``_pool``,
    ``_replay``, ``_log``, ``label_set`` and ``multi_label``.

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.recording import SessionRecording
    >>> session = demo_session()
    >>> isinstance(session, SessionRecording), session.undo()
    (True, None)
    """

    def _position(self, row_id):
        return self._pool.position(row_id)

    def _event(self, kind, row_id, source, annotator=None, **extra):
        event = {"event": kind, "id": row_id, **extra, "time": now(), "source": source}
        if annotator is not None:
            event["annotator"] = str(annotator)
        return event

    def _label_event(self, row_id, label, source, annotator=None, text=None, **extra):
        """A ``label`` event, with the label set as a list in a multi-label session and the text's digest."""
        listed = {"labels": label_sets.split(label)} if self.multi_label else {}
        return self._event("label", row_id, source, annotator, label=label, **extra, **listed,
                           text_sha256=text_digest(text))

    def _check_label(self, label):
        if self.multi_label:
            return label_sets.canonical(label, self.label_set)
        label = str(label)
        if label not in self.label_set:
            raise ValueError(f"Unknown label {label!r}; the labels are {', '.join(self.label_set)}.")
        return label

    def _refuse_labelled(self, row_id):
        """An :class:`~skal.labelling.AlreadyLabelledError` when ``row_id`` holds a label (by anyone)."""
        if row_id in self._replay.labels:
            raise AlreadyLabelledError(row_id, self._replay.labels[row_id],
                                       self._replay.current[row_id].get("annotator"))

    def record(self, row_id, label, source="terminal", annotator=None):
        """Label a row; the label is on disk when this returns.

        Raises a ValueError (and writes nothing) for an unknown id or label,
        or a row labelled already (undo it, or change it with :meth:`correct`).

        Parameters
        ----------
        row_id : str
            The row's id (its position, as a string, without an id column).
        label : str
            One of the session's labels; in a multi-label session a label
            set (a collection of names, or ``"a;b"``, ``"-"`` for none).
        source : str, default="terminal"
            Recorded with the event ("terminal", "web", ...).
        annotator : str, default=None
            Who labelled it, recorded with the event.

        Raises
        ------
        AlreadyLabelledError
            The row holds a label already (a ValueError).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("0", "pos", annotator="ann")
        >>> session.labels
        {'0': 'pos'}
        """
        row_id, position = self._position(row_id)
        label = self._check_label(label)

        def events():
            self._refuse_labelled(row_id)
            return [self._label_event(row_id, label, source, annotator, self._pool.texts[position])]

        self._log.write(events)

    def correct(self, row_id, label, source="terminal", annotator=None):
        """Change the label of a row labelled earlier; on disk when this returns.

        The correction is a new event in the log (the earlier label stays in
        the row's history, and :meth:`undo` takes the correction back). A row
        that has no label raises a ValueError; the same label again writes
        nothing.

        Parameters
        ----------
        row_id : str
            The row's id.
        label : str
            Its new label (a label set in a multi-label session).
        source : str, default="terminal"
            Recorded with the event.
        annotator : str, default=None
            Who corrected it, recorded with the event.

        Returns
        -------
        bool
            Whether a correction was written.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("1", "pos")
        >>> session.correct("1", "neg"), session.labels
        (True, {'1': 'neg'})
        """
        row_id, position = self._position(row_id)
        label = self._check_label(label)

        def events():
            previous = self._replay.labels.get(row_id)
            if previous is None:
                raise ValueError(f"Row {row_id!r} has no label to correct; label it instead.")
            if previous == label:
                return []
            return [self._label_event(row_id, label, source, annotator, self._pool.texts[position],
                                      corrects=previous)]

        return bool(self._log.write(events))

    def skip(self, row_id, source="terminal", annotator=None):
        """Skip a row: it is not shown again in the terminal or the browser, but may be labelled in batch mode.

        Skipping a skipped row writes nothing; a labelled row raises an
        :class:`~skal.labelling.AlreadyLabelledError`.

        Parameters
        ----------
        row_id : str
            The row's id.
        source : str, default="terminal"
            Recorded with the event.
        annotator : str, default=None
            Who skipped it, recorded with the event.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.skip("0")
        >>> session.skipped
        {'0'}
        """
        row_id, _ = self._position(row_id)

        def events():
            self._refuse_labelled(row_id)
            return [] if row_id in self._replay.skipped else [self._event("skip", row_id, source, annotator)]

        self._log.write(events)

    def undo(self, source="terminal", annotator=None):
        """Take back the last label or skip.

        Without ``annotator`` the last action of anyone (any process) is
        undone; with it, that annotator's last action, unless somebody
        changed that row since (a ValueError then says to correct it).

        Parameters
        ----------
        source : str, default="terminal"
            Recorded with the undo event.
        annotator : str, default=None
            Undo this annotator's last action; None undoes anyone's.

        Returns
        -------
        str or None
            The row id undone, or None when there was nothing to undo.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("0", "pos", annotator="ann")
        >>> session.record("1", "neg", annotator="bob")
        >>> session.undo(annotator="ann"), session.labels
        ('0', {'1': 'neg'})
        """
        undone = []

        def events():
            row = self._replay.last_action(annotator)
            if row is None:
                return []
            undone.append(row)
            return [self._event("undo", row, source, annotator)]

        self._log.write(events)
        return undone[0] if undone else None
