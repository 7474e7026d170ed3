"""The errors a session raises that a front end handles in its own way.

Both are ``ValueError`` subclasses, so code that catches ValueError keeps
working; the terminal and the browser tell the person what happened and go on.

Examples
--------
>>> from skal.labelling.errors import AlreadyLabelledError
>>> err = AlreadyLabelledError("7", "pos", annotator="ann")
>>> isinstance(err, ValueError), err.row_id, err.label
(True, '7', 'pos')
"""

__all__ = ["AlreadyLabelledError"]


class AlreadyLabelledError(ValueError):
    """A row was labelled already, possibly by another process sharing the session.

    Parameters
    ----------
    row_id : str
        The row's id.
    label : str
        The label in effect.
    annotator : str, default=None
        Who gave it, when the log says.

    Examples
    --------
    >>> from skal.labelling.errors import AlreadyLabelledError
    >>> str(AlreadyLabelledError("3", "neg"))
    "Row '3' is labelled already ('neg')."
    """

    def __init__(self, row_id, label, annotator=None):
        self.row_id, self.label, self.annotator = row_id, label, annotator
        by = f" by {annotator}" if annotator else ""
        super().__init__(f"Row {row_id!r} is labelled already ({label!r}{by}).")
