"""Label Studio interchange: export a batch as tasks with predictions, import the annotations back.

Export (``skal query --session DIR -n 50 --format label-studio --out tasks.json``) writes
Label Studio's JSON task list; each task carries the row id in ``data.skal_id`` and the
model's guess as a pre-annotation::

    [{"data": {"text": "a gripping , funny film .", "skal_id": "17"},
      "predictions": [{"model_version": "skal", "score": 0.41,
                       "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                   "value": {"choices": ["positive"]}}]}]}]

Use a labelling config with ``<Text name="text" value="$text"/>`` and
``<Choices name="label" toName="text">`` listing the session's labels. Export the
finished project as JSON and import it (``skal teach --session DIR --labels export.json``):
the last non-cancelled annotation of each task gives its label.
"""

import json
from pathlib import Path

import pandas as pd

__all__ = ["to_label_studio", "from_label_studio"]


def to_label_studio(batch, from_name="label", to_name="text"):
    """Label Studio tasks (a list of dicts) from a batch with id, text, guess and score."""
    tasks = []
    for row in batch.itertuples(index=False):
        task = {"data": {"text": row.text, "skal_id": str(row.id)}}
        if getattr(row, "guess", None) is not None and not pd.isna(row.guess):
            task["predictions"] = [{
                "model_version": "skal", "score": float(row.score),
                "result": [{"from_name": from_name, "to_name": to_name, "type": "choices",
                            "value": {"choices": [str(row.guess)]}}],
            }]
        tasks.append(task)
    return tasks


def from_label_studio(source):
    """A table (id, label) from Label Studio's JSON export (a path or the parsed list).

    Tasks without a usable annotation are reported with label None, so the
    caller can say what was left unlabelled instead of dropping it silently.
    """
    if isinstance(source, (str, Path)):
        try:
            source = json.loads(Path(source).read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source} is not valid JSON: {exc}") from exc
    if not isinstance(source, list):
        raise ValueError("A Label Studio export is a JSON list of tasks.")
    rows = []
    for position, task in enumerate(source):
        data = task.get("data", {}) if isinstance(task, dict) else {}
        if "skal_id" not in data:
            raise ValueError(f"Task {position} has no data.skal_id: it was not exported by skal.")
        label = None
        for annotation in task.get("annotations", []):
            if annotation.get("was_cancelled"):
                continue
            for result in annotation.get("result", []):
                choices = result.get("value", {}).get("choices")
                if choices:
                    label = choices[0]
        rows.append({"id": str(data["skal_id"]), "label": label})
    return pd.DataFrame(rows, columns=["id", "label"])
