"""Multi-label labelling sessions (issue 12): label sets in the log, the terminal's "1 3" / "-" answers,
one model per label, label-set batches and Label Studio's multiple choices."""

import io
import json
import sys

import pandas as pd
import pytest

from skal.cli import main
from skal.interchange import label_studio_config, read_label_studio_annotations, to_label_studio_tasks
from skal.labelling import LabellingSession, label_in_terminal
from skal.labelling.export import export_labels

LABELS = ["anger", "fear", "joy"]
WORDS = {"anger": "furious", "fear": "scared", "joy": "happy"}


def _truth(i):
    """Row i's label set: anger on even rows, fear on rows divisible by 3, joy on rows divisible by 5."""
    return [label for label, step in zip(LABELS, (2, 3, 5)) if i % step == 0]


@pytest.fixture
def pool(tmp_path):
    texts = [" ".join([WORDS[label] for label in _truth(i)] or ["calm"]) + f" note {i}" for i in range(1, 61)]
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    return path


def _session(tmp_path, pool, **kw):
    return LabellingSession.create(tmp_path / "s", data=pool, labels=LABELS, classifier="tfidf",
                                   batch_size=6, multi_label=True, **kw)


def test_label_sets_are_logged_replayed_and_trained_on(tmp_path, pool):
    session = _session(tmp_path, pool)
    assert session.config["strategy"] == "mean_entropy"
    for _ in range(12):
        item = session.next_item()
        session.record(item.id, _truth(int(item.id) + 1))
    session.record(session.next_item().id, [])  # the empty set is an answer
    log = [json.loads(line) for line in (session.directory / "labels.jsonl").read_text().splitlines()]
    assert all(isinstance(e["labels"], list) for e in log) and log[-1]["labels"] == [] and log[-1]["label"] == ""
    reopened = LabellingSession.open(session.directory)
    assert reopened.labels == session.labels
    counts = reopened.status()["counts"]
    rows = [_truth(int(i) + 1) for i, v in reopened.labels.items() if v]
    assert counts == {label: sum(label in r for r in rows) for label in LABELS}
    assert reopened.retrain_due()
    reopened.retrain()
    learner = reopened.learner
    assert learner.predict_proba(["furious happy note"]).shape == (1, len(learner.classes_))
    item = reopened.next_item()
    assert item.guess is not None and 0 < item.confidence <= 1
    assert set(filter(None, item.guess.split(";"))) <= set(LABELS)
    assert 0 <= reopened.score(["furious scared", "happy"], [["anger", "fear"], "joy"]) <= 1
    with pytest.raises(ValueError, match="for single-label sessions"):
        reopened.errors()


def test_correction_and_bad_label_sets(tmp_path, pool):
    session = _session(tmp_path, pool)
    session.record("0", ["joy", "anger"])
    assert session.labels["0"] == "anger;joy"  # canonical: the session's label order
    assert session.correct("0", "fear") and session.labels["0"] == "fear"
    assert not session.correct("0", ["fear"])  # the same set again writes nothing
    with pytest.raises(ValueError, match="Unknown label"):
        session.record("1", ["joy", "sadness"])
    assert "1" not in session.labels


def test_strategies_and_label_names_fit_the_kind_of_session(tmp_path, pool):
    with pytest.raises(ValueError, match="single-label; a multi-label session takes one of"):
        _session(tmp_path, pool, strategy="margin")
    with pytest.raises(ValueError, match="for multi-label sessions"):
        LabellingSession.create(tmp_path / "t", data=pool, labels=LABELS, strategy="cvirs")
    with pytest.raises(ValueError, match="may not contain"):
        LabellingSession.create(tmp_path / "u", data=pool, labels=["a;b", "c"], multi_label=True)
    assert not (tmp_path / "s").exists() and not (tmp_path / "t").exists()


def test_terminal_reads_several_numbers_and_none(tmp_path, pool):
    session = _session(tmp_path, pool)
    out = io.StringIO()
    result = label_in_terminal(session, stdin=io.StringIO("1 3\n-\n2,x\njoy fear\nq\n"), stdout=out)
    assert "(several: 1 3; none: -)" in out.getvalue() and "unknown answer '2,x'" in out.getvalue()
    assert list(session.labels.values()) == ["anger;joy", "", "fear;joy"] and result["labelled"] == 3


def test_cli_multi_label_session_batches_and_label_studio(tmp_path, pool, capsys, monkeypatch):
    s = tmp_path / "s"
    answers = "\n".join(" ".join(str(LABELS.index(label) + 1) for label in _truth(i)) or "-" for i in range(1, 13))
    monkeypatch.setattr(sys, "stdin", io.StringIO("q\n"))
    assert main(["label", "--session", str(s), "--data", str(pool), "--label", "anger", "--label", "fear",
                 "--label", "joy", "--multi-label", "--classifier", "tfidf", "--batch-size", "6"]) == 0
    assert "(several: 1 3; none: -)" in capsys.readouterr().out
    session = LabellingSession.open(s)
    assert session.multi_label
    label_in_terminal(session, stdin=io.StringIO(answers + "\nq\n"), stdout=io.StringIO())
    tasks_path = tmp_path / "tasks.json"
    assert main(["query", "--session", str(s), "-n", "5", "--out", str(tasks_path)]) == 0
    config = (tmp_path / "tasks.label_config.xml").read_text()
    assert 'choice="multiple"' in config
    tasks = json.loads(tasks_path.read_text())
    for task in tasks[:3]:  # an annotator ticks choices in Label Studio
        task["annotations"] = [{"was_cancelled": False, "result": [
            {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["joy", "anger"]}}]}]
    tasks[3]["annotations"] = [{"was_cancelled": False, "result": []}]  # submitted with nothing ticked
    tasks_path.write_text(json.dumps(tasks))
    assert main(["teach", "--session", str(s), "--labels", str(tasks_path), "--allow-partial"]) == 0
    labels = LabellingSession.open(s).labels
    assert [labels[t["data"]["skal_id"]] for t in tasks[:4]] == ["anger;joy"] * 3 + [""]
    batch = tmp_path / "batch.csv"
    free = [i for i in map(str, range(60)) if i not in labels][:3]
    pd.DataFrame({"id": free, "label": ["fear;joy", "-", "sadness"]}).to_csv(batch, index=False)
    assert main(["teach", "--session", str(s), "--labels", str(batch), "--allow-partial"]) == 0
    assert "unknown label" in capsys.readouterr().out
    labels = LabellingSession.open(s).labels
    assert labels[free[0]] == "fear;joy" and labels[free[1]] == "" and free[2] not in labels
    exported = json.loads(export_labels(LabellingSession.open(s), format="label-studio").read_text())
    back = read_label_studio_annotations(exported, multiple=True).set_index("id")["label"]
    assert back[free[0]] == "fear;joy" and back[free[1]] == "-"


def test_label_studio_multiple_choices_round_trip():
    assert 'choice="multiple"' in label_studio_config(LABELS, multiple=True)
    assert 'choice="single"' in label_studio_config(LABELS)
    batch = pd.DataFrame({"id": ["1", "2"], "text": ["x", "y"], "guess": ["anger;joy", ""],
                          "confidence": [0.5, 0.9], "score": [0.1, 0.2]})
    tasks = to_label_studio_tasks(batch, multiple=True)
    assert tasks[0]["predictions"][0]["result"][0]["value"]["choices"] == ["anger", "joy"]
    assert tasks[1]["predictions"][0]["result"][0]["value"]["choices"] == []
    single = read_label_studio_annotations([{"data": {"skal_id": "1"}, "annotations": [{"result": [
        {"type": "choices", "from_name": "label", "value": {"choices": ["a", "b"]}}]}]}])
    assert single["problem"][0] == "not exactly one choice selected"


def test_the_browser_page_refuses_a_multi_label_session_clearly(tmp_path, pool):
    from skal.labelling.web import create_app

    _session(tmp_path, pool)
    with pytest.raises(ValueError, match="multi-label session; the browser page labels single-label"):
        create_app(tmp_path / "s")
