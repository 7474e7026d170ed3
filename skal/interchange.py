"""Batches in and out of a labelling session: CSV files and Label Studio JSON.

CSV
---
:func:`write_batch_csv` writes a :meth:`~skal.labelling.LabellingSession.query_batch`
table (``id, text, guess, confidence, score``) with an empty ``label``
column; fill it in (a spreadsheet will do) and :func:`read_labels_csv` reads
it back. Only ``id`` and ``label`` matter on the way back.

Label Studio
------------
`Label Studio <https://labelstud.io>`_ imports tasks as a JSON list of
``{"data": {...}, "predictions": [...]}`` objects and exports annotated
tasks as the same objects with ``annotations``. :func:`to_label_studio_tasks`
puts the row's text in ``data.text`` and its skal id in ``data.skal_id``
(Label Studio numbers tasks itself; the skal id is what comes back), and the
model's guess as a pre-annotation whose ``score`` is the model's confidence,
so that Label Studio's "sort by prediction score" shows the least certain
tasks first. The project's labelling config must name the Choices control
and the Text object as the tasks do; :func:`label_studio_config` writes it (one
``<Choice>`` per label, ``choice="multiple"`` for a multi-label session).

One task of ``skal query --format label-studio`` looks like::

    {"data": {"text": "a gripping, beautifully acted thriller", "skal_id": "17", "skal_score": 0.49},
     "predictions": [{"model_version": "skal uncertainty", "score": 0.51,
                      "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["pos"]}}]}]}

After labelling, export the project with Label Studio's "JSON" format
(a list of tasks, each with its ``annotations``; ``JSON-MIN`` works too) and
give the file to :func:`read_label_studio_annotations` (or ``skal teach
--labels export.json``). An exported task reads::

    {"id": 7, "data": {"text": "...", "skal_id": "17", "skal_score": 0.49},
     "annotations": [{"id": 3, "completed_by": 1, "was_cancelled": false,
                      "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["neg"]}}]}],
     "predictions": [...]}

Cancelled (skipped) annotations are ignored; a task without a usable
annotation comes back with a blank label; tasks whose annotators disagree,
with several choices, or without a ``skal_id`` come back with a ``problem``
that :meth:`~skal.labelling.LabellingSession.teach_batch` reports as a
rejection.
"""

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from .text_csv import read_csv_columns

__all__ = [
    "write_batch_csv",
    "read_labels_csv",
    "label_studio_config",
    "to_label_studio_tasks",
    "write_label_studio_tasks",
    "read_label_studio_annotations",
]

ID_KEY = "skal_id"


def write_batch_csv(batch, path):
    """Write a query batch as CSV with an empty ``label`` column to fill in; return the path.

    Parameters
    ----------
    batch : DataFrame
        A :meth:`~skal.labelling.LabellingSession.query_batch` table
        (``id``, ``text``, ``guess``, ``confidence``, ``score``).
    path : str or path
        The CSV file to write; its folder is created.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from skal.interchange import write_batch_csv
    >>> path = write_batch_csv(pd.DataFrame({"id": ["3"], "text": ["fine"]}), f"{tempfile.mkdtemp()}/b.csv")
    >>> path.read_text().splitlines()
    ['id,text,label', '3,fine,']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    batch.assign(label="").to_csv(path, index=False)
    return path


def read_labels_csv(path, id_column="id", label_column="label"):
    """``id`` and ``label`` columns of a CSV (as strings; empty cells are NaN).

    Read by :func:`skal.text_csv.read_csv_columns`: ids stay strings
    (``007`` is not 7) and a label ``NA`` is a label.

    Parameters
    ----------
    path : str or path
        The CSV, e.g. a filled-in :func:`write_batch_csv` file.
    id_column : str, default="id"
        Its column of row ids.
    label_column : str, default="label"
        Its column of labels.

    Returns
    -------
    DataFrame
        Columns ``id`` and ``label`` (object: str, or NaN for an empty cell).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skal.interchange import read_labels_csv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.csv"
    >>> _ = path.write_text("id,text,label\\n007,great,pos\\n8,dull,\\n")
    >>> read_labels_csv(path).to_dict("list")
    {'id': ['007', '8'], 'label': ['pos', nan]}
    """
    frame = read_csv_columns(path, [id_column, label_column], "labels file")
    return pd.DataFrame({"id": frame[id_column].to_numpy(), "label": frame[label_column].to_numpy()})


def label_studio_config(labels, *, from_name="label", to_name="text", multiple=False):
    """The Label Studio labelling config (XML) that matches :func:`to_label_studio_tasks`.

    ``multiple=True`` lets an annotator tick several labels (or none), for a
    multi-label session: ``<Choices choice="multiple">``.

    Parameters
    ----------
    labels : sequence of str
        The session's label set, one ``<Choice>`` each.
    from_name : str, default="label"
        Name of the Choices control.
    to_name : str, default="text"
        Name of the Text object.
    multiple : bool, default=False
        Let an annotator tick several labels.

    Returns
    -------
    str
        The XML config.

    Examples
    --------
    >>> from skal.interchange import label_studio_config
    >>> print(label_studio_config(["pos", "neg"]))
    <View>
      <Text name="text" value="$text"/>
      <Choices name="label" toName="text" choice="single" showInLine="true">
        <Choice value="pos"/>
        <Choice value="neg"/>
      </Choices>
    </View>
    """
    choices = "\n".join(f"    <Choice value={quoteattr(str(label))}/>" for label in labels)
    kind = "multiple" if multiple else "single"
    return (f"<View>\n  <Text name={quoteattr(to_name)} value=\"$text\"/>\n"
            f"  <Choices name={quoteattr(from_name)} toName={quoteattr(to_name)} choice=\"{kind}\" "
            f"showInLine=\"true\">\n{choices}\n  </Choices>\n</View>")


def _number(value):
    """A float for JSON, None for NaN (Label Studio rejects NaN)."""
    return None if value is None or pd.isna(value) else float(value)


def to_label_studio_tasks(batch, *, from_name="label", to_name="text", model_version="skal", multiple=False):
    """Label Studio tasks (a list of dicts) from a query batch, with the guesses as predictions.

    Parameters
    ----------
    batch : DataFrame
        ``id`` and ``text`` columns; ``guess``, ``confidence`` and ``score``
        when there is a model (rows with no guess get no prediction).
    from_name : str, default="label"
        The name of the Choices control in the project's labelling config
        (see :func:`label_studio_config`).
    to_name : str, default="text"
        The name of its Text object.
    model_version : str, default="skal"
        Stored with each prediction (Label Studio shows it).
    multiple : bool, default=False
        Guesses are label sets written ``a;b`` (a multi-label session's
        :meth:`~skal.labelling.LabellingSession.query_batch`); each becomes
        a prediction with those choices.

    Returns
    -------
    list of dict
        One task per row: ``data`` (text, ``skal_id``, ``skal_score``) and,
        where there is a guess, ``predictions``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.interchange import to_label_studio_tasks
    >>> batch = pd.DataFrame({"id": ["17"], "text": ["so dull"], "guess": ["neg"],
    ...                       "confidence": [0.8], "score": [0.2]})
    >>> to_label_studio_tasks(batch)[0]["predictions"][0]["result"][0]["value"]
    {'choices': ['neg']}
    """
    n = len(batch)
    guesses = batch["guess"].to_numpy(dtype=object) if "guess" in batch else np.full(n, None, dtype=object)
    confidences = batch["confidence"].to_numpy() if "confidence" in batch else np.full(n, np.nan)
    scores = batch["score"].to_numpy() if "score" in batch else np.full(n, np.nan)
    tasks = []
    for row_id, text, guess, confidence, score in zip(batch["id"].astype(str), batch["text"], guesses,
                                                      confidences, scores):
        data = {"text": str(text), ID_KEY: row_id}
        if _number(score) is not None:
            data["skal_score"] = _number(score)
        task = {"data": data}
        if guess is not None and not pd.isna(guess):
            result = {"from_name": from_name, "to_name": to_name, "type": "choices",
                      "value": {"choices": [part for part in str(guess).split(";") if part] if multiple
                                else [str(guess)]}}
            prediction = {"model_version": model_version, "result": [result]}
            if _number(confidence) is not None:
                prediction["score"] = _number(confidence)
            task["predictions"] = [prediction]
        tasks.append(task)
    return tasks


def write_label_studio_tasks(batch, path, **kwargs):
    """Write :func:`to_label_studio_tasks` as a JSON file; return the path.

    Parameters
    ----------
    batch : DataFrame
        A query batch, as :func:`to_label_studio_tasks` takes it.
    path : str or path
        The JSON file to write; its folder is created.
    **kwargs : dict
        ``from_name``, ``to_name``, ``model_version`` and ``multiple`` of
        :func:`to_label_studio_tasks`.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import json, tempfile, pandas as pd
    >>> from skal.interchange import write_label_studio_tasks
    >>> batch = pd.DataFrame({"id": ["3"], "text": ["fine"]})
    >>> path = write_label_studio_tasks(batch, f"{tempfile.mkdtemp()}/tasks.json", model_version="v1")
    >>> json.loads(path.read_text())
    [{'data': {'text': 'fine', 'skal_id': '3'}}]
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_label_studio_tasks(batch, **kwargs), indent=1, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _choice_results(annotation, from_name):
    """``{control name: [choices...]}`` of the Choices results of one annotation."""
    found = {}
    for result in annotation.get("result") or []:
        if not isinstance(result, dict) or result.get("type") != "choices":
            continue
        name = result.get("from_name")
        if from_name is not None and name != from_name:
            continue
        choices = (result.get("value") or {}).get("choices") or []
        found.setdefault(name, []).append(list(choices))
    return found


def _min_choices(task, from_name):
    """Choices of a JSON-MIN task (the control's name maps to a label or {"choices": [...]})."""
    names = [from_name] if from_name is not None else [
        key for key, value in task.items()
        if key not in ("id", "text", ID_KEY, "skal_score", "annotator", "annotation_id", "created_at",
                       "updated_at", "lead_time")
        and (isinstance(value, str) or (isinstance(value, dict) and "choices" in value))
    ]
    found = {}
    for name in names:
        value = task.get(name)
        if value is None:
            continue
        choices = value.get("choices", []) if isinstance(value, dict) else [value]
        found.setdefault(name, []).append(list(choices))
    return found


def _task_label(task, from_name, multiple=False):
    """(label or None, problem or None) of one exported task; a label set is written ``a;b`` or ``-``."""
    submitted = False
    if "data" not in task:  # JSON-MIN: one flat object per task
        found = _min_choices(task, from_name)
    else:
        annotations = task.get("annotations", task.get("completions")) or []
        found = {}
        for annotation in annotations:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            submitted = True
            for name, choices in _choice_results(annotation, from_name).items():
                found.setdefault(name, []).extend(choices)
    if len(found) > 1:
        return None, f"several Choices controls ({', '.join(map(str, found))}); pick one with from_name"
    if not found:  # a submitted annotation with nothing ticked is the empty set, where sets are allowed
        return ("-" if multiple and submitted else None), None
    (chosen,) = found.values()
    if multiple:
        labels = sorted({";".join(sorted(map(str, choices))) or "-" for choices in chosen})
    elif any(len(choices) != 1 for choices in chosen):
        return None, "not exactly one choice selected"
    else:
        labels = sorted({str(choices[0]) for choices in chosen})
    if len(labels) > 1:
        return None, f"annotators disagree ({', '.join(labels)})"
    return labels[0], None


def read_label_studio_annotations(source, *, from_name=None, multiple=False):
    """Labels from a Label Studio export ("JSON" or "JSON-MIN") of tasks made by skal.

    Parameters
    ----------
    source : str, path, or list of dict
        The export file, or its parsed list of tasks.
    from_name : str, default=None
        The Choices control to read; None takes the only one there is.
    multiple : bool, default=False
        Read each annotation's ticked choices as a label set (a multi-label
        session): ``a;b``, or ``-`` for a submitted annotation with none.

    Returns
    -------
    DataFrame
        Columns ``id`` (the ``skal_id``), ``label`` (None when the task has
        no usable annotation), ``problem`` (why the task cannot be used, else
        None) and ``task`` (Label Studio's task id). Pass it to
        :meth:`~skal.labelling.LabellingSession.teach_batch`.

    Raises
    ------
    FileNotFoundError
        When ``source`` names no file.
    ValueError
        When the file is not JSON or not a list of tasks.

    Examples
    --------
    >>> from skal.interchange import read_label_studio_annotations
    >>> export = [{"id": 1, "data": {"text": "so dull", "skal_id": "17"},
    ...            "annotations": [{"was_cancelled": False, "result": [
    ...                {"from_name": "label", "to_name": "text", "type": "choices",
    ...                 "value": {"choices": ["neg"]}}]}]}]
    >>> read_label_studio_annotations(export)[["id", "label"]].to_dict("records")
    [{'id': '17', 'label': 'neg'}]
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"No such Label Studio export: {path}")
        try:
            tasks = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"Could not read {path} as JSON: {exc}") from exc
        where = str(path)
    else:
        tasks, where = source, "the Label Studio export"
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise ValueError(f"{where} is not a Label Studio JSON export: expected a list of task objects.")
    rows = []
    for task in tasks:
        data = task.get("data", task)
        row_id = data.get(ID_KEY) if isinstance(data, dict) else None
        label, problem = _task_label(task, from_name, multiple)
        if row_id is None or str(row_id).strip() == "":
            row_id, problem = None, f"task has no data.{ID_KEY} (was it made by skal query?)"
        rows.append({"id": None if row_id is None else str(row_id), "label": label, "problem": problem,
                     "task": task.get("id")})
    return pd.DataFrame(rows, columns=["id", "label", "problem", "task"])
