"""Labelling sessions: select -> a person labels -> retrain, without ever losing a label.

One job per module:

:mod:`~skal.labelling.storage`
    the session's files: the fsync-ed event log, atomic writes, the server lock;
:mod:`~skal.labelling.replay`
    the pure replay of events into labels (undo and corrections applied);
:mod:`~skal.labelling.pool`
    the pool CSV and the ids of its rows;
:mod:`~skal.labelling.session`
    :class:`LabellingSession`, the API every front end uses;
:mod:`~skal.labelling.errors`
    the errors a front end handles itself (a row labelled elsewhere);
:mod:`~skal.labelling.export`
    the replayed labels as CSV, JSON lines or Label Studio tasks;
:mod:`~skal.labelling.terminal`
    :func:`label_in_terminal`, the terminal front end;
:mod:`~skal.labelling.web`
    the browser front end behind ``skal serve``.

Examples
--------
>>> import tempfile, pandas as pd
>>> from skal.labelling import LabellingSession
>>> tmp = tempfile.mkdtemp()
>>> pd.DataFrame({"text": ["good", "bad", "fine"]}).to_csv(f"{tmp}/pool.csv", index=False)
>>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg", classifier="tfidf")
>>> item = session.next_item()
>>> session.record(item.id, "pos", annotator="ann")
>>> session.labelled_frame()["label"].tolist()
['pos']
"""

from .errors import AlreadyLabelledError
from .pool import read_csv_columns
from .results import Item, TeachReport
from .session import LabellingSession
from .settings import strategy_names
from .storage import CONFIG_FILE, LOG_FILE, STATE_FILE
from .terminal import label_in_terminal

__all__ = [
    "AlreadyLabelledError",
    "CONFIG_FILE",
    "LOG_FILE",
    "STATE_FILE",
    "Item",
    "LabellingSession",
    "TeachReport",
    "label_in_terminal",
    "read_csv_columns",
    "strategy_names",
]
