"""A session's labels for other tools: CSV, JSON lines or Label Studio, plus who disagreed.

Everything here reads the session through its public API
(:meth:`~skal.labelling.LabellingSession.labelled_frame` and
:meth:`~skal.labelling.LabellingSession.events`), so what is exported is
the log replayed, undos and corrections applied, never the raw log.

Examples
--------
>>> import pandas as pd
>>> from skal.labelling.demo import demo_session
>>> from skal.labelling.export import export_labels
>>> session = demo_session()
>>> session.record("0", "pos", annotator="ann")
>>> path = export_labels(session, session.directory.parent / "labels.csv")
>>> pd.read_csv(path, dtype=str)[["id", "text", "label", "annotator"]]
  id  text label annotator
0  0  good   pos       ann
"""

import json
from pathlib import Path

import pandas as pd

from ..interchange import ID_KEY
from ..parameters import check_option
from . import label_sets
from .storage import write_atomically

__all__ = ["FORMATS", "disagreements_frame", "export_labels", "history_frame", "render_labels",
           "to_label_studio_annotations"]

#: Formats :func:`export_labels` writes.
FORMATS = ("csv", "jsonl", "label-studio")

_HISTORY_COLUMNS = ["seq", "event", "id", "text", "label", "annotator", "time", "source", "undone", "in_effect"]


def history_frame(session):
    """Every label and skip of the session, oldest first, with who, when, and whether it still counts.

    Parameters
    ----------
    session : LabellingSession
        The session to read.

    Returns
    -------
    DataFrame
        Columns ``seq``, ``event``, ``id``, ``text``, ``label``,
        ``annotator``, ``time``, ``source``, ``undone`` and ``in_effect``.

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.export import history_frame
    >>> session = demo_session()
    >>> session.record("1", "pos", annotator="ann")
    >>> _ = session.correct("1", "neg", annotator="bob")
    >>> history_frame(session)[["id", "label", "annotator", "in_effect"]].to_dict("records")
    [{'id': '1', 'label': 'pos', 'annotator': 'ann', 'in_effect': False}, {'id': '1', 'label': 'neg', 'annotator': 'bob', 'in_effect': True}]
    """
    events = session.events()
    frame = pd.DataFrame(events, columns=list(dict.fromkeys(_HISTORY_COLUMNS[:3] + _HISTORY_COLUMNS[4:])))
    frame.insert(3, "text", session.texts(frame["id"].tolist()))
    return frame[_HISTORY_COLUMNS]


def disagreements_frame(session):
    """Rows that annotators labelled differently, each annotator's latest label not undone counting.

    Parameters
    ----------
    session : LabellingSession
        The session to read.

    Returns
    -------
    DataFrame
        Columns ``id``, ``text``, ``label`` (the label in effect) and
        ``labels`` (``"ann=pos; bob=neg"``).

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.export import disagreements_frame
    >>> session = demo_session()
    >>> session.record("1", "pos", annotator="ann")
    >>> _ = session.correct("1", "neg", annotator="bob")
    >>> disagreements_frame(session)[["id", "label", "labels"]].to_dict("records")
    [{'id': '1', 'label': 'neg', 'labels': 'ann=pos; bob=neg'}]
    """
    history = history_frame(session)
    given = history[(history["event"] == "label") & ~history["undone"].astype(bool)].copy()
    given["annotator"] = given["annotator"].fillna("unknown")
    latest = given.drop_duplicates(["id", "annotator"], keep="last")
    n_labels = latest.groupby("id")["label"].transform("nunique")
    latest = latest[n_labels > 1]
    current = given[given["in_effect"].astype(bool)].set_index("id")["label"]
    summary = (latest.assign(pair=latest["annotator"].astype(str) + "=" + latest["label"].astype(str))
               .groupby("id", sort=False)["pair"].agg("; ".join))
    ids = summary.index.tolist()
    return pd.DataFrame({"id": ids, "text": session.texts(ids), "label": current.reindex(ids).tolist(),
                         "labels": summary.tolist()}, columns=["id", "text", "label", "labels"])


def to_label_studio_annotations(frame, *, from_name="label", to_name="text", multiple=False):
    """Labelled rows as Label Studio tasks with one annotation each (its JSON export format).

    ``multiple=True`` (a multi-label session) writes each label set
    (``a;b``, ``""`` for none) as that many ticked choices.

    ``skal teach --labels`` (:func:`skal.interchange.read_label_studio_annotations`)
    reads them back.

    Parameters
    ----------
    frame : DataFrame
        Labelled rows: ``id``, ``text`` and ``label``, and optionally
        ``annotator`` and ``time`` (as :meth:`LabellingSession.labelled_frame
        <skal.labelling.LabellingSession.labelled_frame>` gives them with
        ``details=True``).
    from_name : str, default="label"
        The name of the choices control in the Label Studio labelling config.
    to_name : str, default="text"
        The name of the text object it labels.
    multiple : bool, default=False
        Write each label as a set of choices (a multi-label session).

    Returns
    -------
    list of dict
        One Label Studio task per row, ready for :func:`json.dump`.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.labelling.export import to_label_studio_annotations
    >>> from skal.interchange import read_label_studio_annotations
    >>> tasks = to_label_studio_annotations(pd.DataFrame({"id": ["4"], "text": ["so dull"], "label": ["neg"]}))
    >>> read_label_studio_annotations(tasks)[["id", "label"]].to_dict("records")
    [{'id': '4', 'label': 'neg'}]
    """
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    tasks = []
    for record in records:
        annotation = {"was_cancelled": False, "result": [
            {"from_name": from_name, "to_name": to_name, "type": "choices",
             "value": {"choices": label_sets.split(record["label"]) if multiple else [str(record["label"])]}}]}
        if record.get("annotator") is not None:
            annotation["completed_by"] = record["annotator"]
        if record.get("time") is not None:
            annotation["created_at"] = record["time"]
        tasks.append({"data": {"text": record["text"], ID_KEY: str(record["id"])}, "annotations": [annotation]})
    return tasks


def export_labels(session, out=None, format="csv"):
    """Write the session's labels (undo and corrections applied), with annotator and time.

    Parameters
    ----------
    session : LabellingSession
        The session to export.
    out : str or path, default=None
        The file to write; None is ``labels.csv`` (``labels.export.jsonl``,
        ``labels.label-studio.json``) in the session directory.
    format : {"csv", "jsonl", "label-studio"}, default="csv"
        The file format (:data:`FORMATS`).

    Returns
    -------
    Path
        The file written (atomically).

    Examples
    --------
    >>> import json
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.export import export_labels
    >>> session = demo_session()
    >>> session.record("1", "neg")
    >>> path = export_labels(session, format="jsonl")
    >>> path.name, json.loads(path.read_text())["label"]
    ('labels.export.jsonl', 'neg')
    """
    check_option(format, "format", FORMATS)
    default = {"csv": "labels.csv", "jsonl": "labels.jsonl", "label-studio": "labels.label-studio.json"}
    if out is None:
        out = Path(session.directory) / default[format]
        if format == "jsonl":  # never over the event log
            out = out.with_name("labels.export.jsonl")
    out = Path(out)
    data = render_labels(session, format)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, lambda f: f.write(data))
    return out


def render_labels(session, format="csv"):
    """The bytes :func:`export_labels` writes, without writing them anywhere.

    Parameters
    ----------
    session : LabellingSession
        The session to export.
    format : {"csv", "jsonl", "label-studio"}, default="csv"
        The format (:data:`FORMATS`).

    Returns
    -------
    bytes
        The file's content, UTF-8.

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.export import render_labels
    >>> session = demo_session()
    >>> render_labels(session).decode().splitlines()[0]
    'id,text,label,annotator,time,source,corrected'
    """
    check_option(format, "format", FORMATS)
    frame = session.labelled_frame(details=True)
    if format == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    if format == "jsonl":
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    tasks = to_label_studio_annotations(frame, multiple=session.multi_label)
    return json.dumps(tasks, ensure_ascii=False, indent=1).encode("utf-8")
