"""Batch files and Label Studio JSON, in and out of a labelling session."""

import doctest
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import skal.interchange
from skal.interchange import (
    label_studio_config,
    read_label_studio_annotations,
    read_labels_csv,
    to_label_studio_tasks,
    write_batch_csv,
    write_label_studio_tasks,
)
from skal.labelling import LabellingSession


@pytest.fixture
def session(tmp_path, review_phrases):
    texts, labels = review_phrases
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg",
                                      classifier="tfidf", batch_size=4)
    session.truth = dict(zip(map(str, range(len(texts))), labels))
    return session


def _annotate(tasks, truth, from_name="label", to_name="text"):
    """What Label Studio's JSON export holds once each task has one annotation."""
    exported = []
    for number, task in enumerate(tasks, 1):
        label = truth[task["data"]["skal_id"]]
        result = [{"id": f"r{number}", "from_name": from_name, "to_name": to_name, "type": "choices",
                   "origin": "manual", "value": {"choices": [label]}}]
        exported.append({"id": number, "data": task["data"], "predictions": task.get("predictions", []),
                         "annotations": [{"id": 100 + number, "completed_by": 1, "was_cancelled": False,
                                          "ground_truth": False, "lead_time": 2.5, "result": result,
                                          "created_at": "2025-01-01T00:00:00Z", "task": number}],
                         "project": 1, "inner_id": number})
    return exported


def test_csv_round_trip(tmp_path, session):
    batch = session.query_batch(6)
    path = write_batch_csv(batch, tmp_path / "out" / "batch.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["id", "text", "guess", "confidence", "score", "label"]
    assert (frame["label"] == "").all()
    frame["label"] = [session.truth[i] for i in frame["id"]]
    frame.to_csv(path, index=False)
    labels = read_labels_csv(path)
    report = session.teach_batch(labels)
    assert report.counts == {"added": 6} and session.labels == {i: session.truth[i] for i in batch["id"]}


def test_read_labels_csv_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such labels file"):
        read_labels_csv(tmp_path / "missing.csv")
    path = tmp_path / "labels.csv"
    path.write_text("row,answer\n1,pos\n")
    with pytest.raises(ValueError, match="no column 'id', 'label'; its columns are 'row', 'answer'"):
        read_labels_csv(path)
    assert read_labels_csv(path, id_column="row", label_column="answer").to_dict("list") == {
        "id": ["1"], "label": ["pos"]}


def test_label_studio_tasks_carry_id_text_and_prediction(session):
    for row in ("0", "1", "30", "31"):
        session.record(row, session.truth[row])
    batch = session.query_batch(3)
    tasks = to_label_studio_tasks(batch, model_version="skal uncertainty")
    assert len(tasks) == 3
    for task, (_, row) in zip(tasks, batch.iterrows()):
        assert task["data"] == {"text": row["text"], "skal_id": row["id"],
                                "skal_score": pytest.approx(row["score"])}
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == "skal uncertainty"
        assert prediction["score"] == pytest.approx(row["confidence"])
        assert prediction["result"] == [{"from_name": "label", "to_name": "text", "type": "choices",
                                         "value": {"choices": [row["guess"]]}}]
    json.dumps(tasks, allow_nan=False)  # valid JSON for Label Studio: no NaN


def test_cold_start_tasks_have_no_prediction(tmp_path, session):
    batch = session.query_batch(2)
    path = write_label_studio_tasks(batch, tmp_path / "tasks.json")
    tasks = json.loads(path.read_text())
    assert [sorted(task) for task in tasks] == [["data"], ["data"]]
    assert sorted(tasks[0]["data"]) == ["skal_id", "text"]


def test_label_studio_config_is_xml_naming_the_controls():
    root = ET.fromstring(label_studio_config(["pos", "neg & co"], from_name="sentiment", to_name="review"))
    text, choices = root
    assert text.attrib == {"name": "review", "value": "$text"}
    assert choices.attrib["name"] == "sentiment" and choices.attrib["toName"] == "review"
    assert [c.attrib["value"] for c in choices] == ["pos", "neg & co"]


def test_label_studio_round_trip(tmp_path, session):
    batch = session.query_batch(8)
    write_label_studio_tasks(batch, tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_annotate(tasks, session.truth)))
    labels = read_label_studio_annotations(export)
    assert labels["id"].tolist() == batch["id"].tolist()
    assert labels["problem"].isna().all() and labels["task"].tolist() == list(range(1, 9))
    report = session.teach_batch(labels, source="label-studio")
    assert report.counts == {"added": 8}
    assert session.labels == {i: session.truth[i] for i in batch["id"]}


def test_label_studio_json_min_export(session):
    export = [{"id": 1, "text": "x", "skal_id": "3", "label": "pos", "annotator": 1, "annotation_id": 5,
               "lead_time": 1.0},
              {"id": 2, "text": "y", "skal_id": "40", "label": {"choices": ["neg"]}},
              {"id": 3, "text": "z", "skal_id": "41"}]
    labels = read_label_studio_annotations(export)
    assert labels["id"].tolist() == ["3", "40", "41"] and labels["label"].tolist()[:2] == ["pos", "neg"]
    assert pd.isna(labels["label"][2]) and labels["problem"].isna().all()


def test_label_studio_problems_are_reported_not_dropped(session):
    def task(number, skal_id, *annotations):
        data = {"text": "t"} if skal_id is None else {"text": "t", "skal_id": skal_id}
        return {"id": number, "data": data, "annotations": list(annotations)}

    def annotation(*choices, cancelled=False, name="label"):
        return {"was_cancelled": cancelled, "result": [
            {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(choices)}}]}

    export = [
        task(1, "1", annotation("pos")),
        task(2, "2"),  # not annotated yet
        task(3, "3", annotation("neg", cancelled=True)),  # skipped in Label Studio
        task(4, "4", annotation("pos"), annotation("neg")),  # two annotators disagree
        task(5, "5", annotation("pos"), annotation("pos")),  # two annotators agree
        task(6, "6", annotation("pos", "neg")),  # two choices ticked
        task(7, None, annotation("pos")),  # not made by skal
        task(8, "8", annotation("maybe")),  # not one of the labels
        task(9, "9", annotation("pos"), annotation("neg", name="topic")),  # another control
        task(10, "999", annotation("pos")),  # unknown row
    ]
    labels = read_label_studio_annotations(export)
    problems = labels["problem"].tolist()
    assert labels["problem"].isna().tolist() == [True, True, True, False, True, False, False, True, False, True]
    assert problems[3] == "annotators disagree (neg, pos)"
    assert problems[5] == "not exactly one choice selected"
    assert problems[6].startswith("task has no data.skal_id")
    assert problems[8].startswith("several Choices controls (label, topic)")
    assert read_label_studio_annotations(export, from_name="label")["label"][8] == "pos"
    report = session.teach_batch(labels, allow_partial=True)
    status = dict(zip(labels["task"], report.rows["status"]))
    assert status == {1: "added", 2: "blank", 3: "blank", 4: "rejected", 5: "added", 6: "rejected",
                      7: "rejected", 8: "rejected", 9: "rejected", 10: "rejected"}
    reasons = dict(zip(labels["task"], report.rows["reason"]))
    assert reasons[8] == "unknown label" and reasons[10] == "unknown id"
    assert session.labels == {"1": "pos", "5": "pos"}


@pytest.mark.parametrize("content, message", [
    ("{not json", "Could not read .* as JSON"),
    ('{"data": {}}', "expected a list of task objects"),
    ("[1, 2]", "expected a list of task objects"),
])
def test_label_studio_bad_files(tmp_path, content, message):
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_label_studio_annotations(path)
    with pytest.raises(FileNotFoundError, match="No such Label Studio export"):
        read_label_studio_annotations(tmp_path / "nope.json")


def test_tasks_without_guess_columns():
    tasks = to_label_studio_tasks(pd.DataFrame({"id": [1, 2], "text": ["a", "b"]}))
    assert tasks == [{"data": {"text": "a", "skal_id": "1"}}, {"data": {"text": "b", "skal_id": "2"}}]
    partly = to_label_studio_tasks(pd.DataFrame({"id": ["1"], "text": ["a"], "guess": ["pos"],
                                                 "confidence": [np.nan], "score": [np.nan]}))
    assert "score" not in partly[0]["predictions"][0] and "skal_score" not in partly[0]["data"]


def test_docstring_examples():
    result = doctest.testmod(skal.interchange)
    assert result.attempted > 0 and result.failed == 0
