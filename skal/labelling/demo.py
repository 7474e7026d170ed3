"""A tiny session in a temporary directory, for the examples of the labelling docs.

Every example of :mod:`skal.labelling` needs a pool file and a session
directory; :func:`demo_session` makes both in one call (as scikit-learn's
examples load a small data set), so an example shows the call it is about.

Examples
--------
>>> from skal.labelling.demo import demo_session
>>> session = demo_session()
>>> session.texts(["0", "1"])
['good', 'bad']
"""

import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["demo_session"]


def demo_session(texts=("good", "bad"), labels="pos,neg", **settings):
    """A new :class:`~skal.labelling.LabellingSession` on ``texts``, in a new temporary directory.

    Parameters
    ----------
    texts : sequence of str, default=("good", "bad")
        The pool, written to ``pool.csv`` (column ``text``) in the directory;
        rows are identified by their position.
    labels : str or list of str, default="pos,neg"
        The label set.
    **settings : dict
        Further arguments of :meth:`LabellingSession.create
        <skal.labelling.LabellingSession.create>`; ``classifier`` is
        ``"tfidf"`` unless given.

    Returns
    -------
    LabellingSession
        The session, in the ``session`` folder of the temporary directory
        (left for the operating system to clean up).

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> session = demo_session(["fine", "poor", "great"], labels=["pos", "neg"], batch_size=2)
    >>> session.status()["rows"], session.config["classifier"], session.directory.name
    (3, 'tfidf', 'session')
    """
    from .session import LabellingSession

    directory = Path(tempfile.mkdtemp(prefix="skal-demo-"))
    pd.DataFrame({"text": list(texts)}).to_csv(directory / "pool.csv", index=False)
    settings = {"classifier": "tfidf", **settings}
    return LabellingSession.create(directory / "session", data=directory / "pool.csv", labels=labels, **settings)
