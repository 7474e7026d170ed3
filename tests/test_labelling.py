"""Human-in-the-loop labelling: the terminal loop, persistence through kills, batch mode, Label Studio."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from skal.cli import main
from skal.interchange import from_label_studio, to_label_studio
from skal.labelling import LabellingSession
from skal.labelling_terminal import run_terminal

POS = ["great fun", "a lovely film", "wonderful acting", "brilliant story", "so moving", "pure joy",
       "a superb cast", "funny and warm", "a real gem", "beautiful work"]
NEG = ["dull and slow", "an awful mess", "boring plot", "terrible acting", "a waste", "so tedious",
       "clumsy writing", "flat and lifeless", "a dreadful bore", "painful to watch"]
TRUTH = {str(i): ("pos" if i < 10 else "neg") for i in range(20)}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pool(tmp_path):
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": POS + NEG}).to_csv(path, index=False)
    return path


def _session(tmp_path, pool, **kw):
    params = dict(labels=["pos", "neg"], classifier="tfidf", batch_size=3)
    params.update(kw)
    return LabellingSession.create(tmp_path / "session", pool, **params)


def _oracle(session):
    """Answers the terminal prompts with the true label of the row on screen."""
    shown = []

    def write(text):
        if text.startswith("\n["):
            shown.append(text.split("]")[0][2:])

    def read(prompt):
        return TRUTH[shown[-1]]

    return read, write, shown


def test_terminal_loop_labels_skips_undoes_and_quits(tmp_path, pool):
    session = _session(tmp_path, pool)
    answers = iter(["1", "s", "neg", "u", "2", "q"])
    out = []
    given = run_terminal(session, read=lambda p: next(answers), write=out.append)
    assert given == 3  # three labels typed, one of them undone
    labelled, skipped = session.state()
    assert len(labelled) == 2 and len(skipped) == 1
    assert "no model yet" in "\n".join(out)
    assert any(line.startswith("Undid row") for line in out)


def test_terminal_loop_until_done_retrains_every_batch(tmp_path, pool):
    session = _session(tmp_path, pool, batch_size=4)
    read, write, shown = _oracle(session)
    lines = []
    run_terminal(session, read=read, write=lambda t: (write(t), lines.append(t)))
    labelled, _ = session.state()
    assert labelled == {k: TRUTH[k] for k in labelled} and len(labelled) == 20
    assert sum("retraining" in line for line in lines) == 5
    assert "Done." in lines[-1]


def test_unknown_answer_and_end_of_input(tmp_path, pool):
    session = _session(tmp_path, pool)
    answers = iter(["maybe", "7"])
    out = []

    def read(prompt):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError

    run_terminal(session, read=read, write=out.append)
    assert sum("Unknown answer" in line for line in out) == 2
    assert session.status()["labelled"] == 0


def test_cli_label_with_piped_stdin_resumes(tmp_path, pool):
    command = [sys.executable, "-m", "skal", "label", "--data", str(pool), "--labels", "pos,neg",
               "--session", str(tmp_path / "s"), "--classifier", "tfidf", "--batch-size", "2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.run(command, input="1\n2\nq\n", capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "model guess" in first.stdout and "Saved. 2 labels" in first.stdout
    second = subprocess.run(command, input="s\nq\n", capture_output=True, text=True, env=env, timeout=120)
    assert "2 labelled, 18 to go" in second.stdout
    session = LabellingSession.open(tmp_path / "s")
    assert session.status() == {"labelled": 2, "per_label": {"pos": 1, "neg": 1}, "skipped": 1, "remaining": 17}


KILLABLE = """
import sys, time
from skal.labelling import LabellingSession
from skal.labelling_terminal import run_terminal
original = LabellingSession.retrain
def slow_retrain(self):
    print("TRAINING", flush=True)
    time.sleep(60)
    return original(self)
LabellingSession.retrain = slow_retrain
session = LabellingSession.create(sys.argv[1], sys.argv[2], labels=["pos", "neg"], classifier="tfidf", batch_size=2)
run_terminal(session)
"""


def test_sigkill_between_label_and_retrain_loses_nothing(tmp_path, pool):
    directory = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-c", KILLABLE, str(directory), str(pool)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=env)
    process.stdin.write("1\n2\n")
    process.stdin.flush()
    deadline = time.time() + 60
    for line in process.stdout:  # wait until it is inside the retraining after the 2nd label
        if "TRAINING" in line or time.time() > deadline:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    session = LabellingSession.open(directory)
    labelled, _ = session.state()
    assert len(labelled) == 2 and set(labelled.values()) == {"pos", "neg"}
    assert not (directory / "learner.joblib").exists()  # the kill came before any model was saved
    assert session.learner() is not None  # retrained from the log on resume
    item = session.next_item()
    assert item["id"] not in labelled
    session.record(item["id"], "pos")
    assert len(session.state()[0]) == 3


def test_torn_last_line_is_ignored_and_repaired(tmp_path, pool):
    session = _session(tmp_path, pool)
    session.record("0", "pos")
    with open(session.directory / "labels.jsonl", "ab") as handle:
        handle.write(b'{"event": "label", "id": "1", "lab')  # killed mid-write
    assert session.state()[0] == {"0": "pos"}
    session.record("2", "pos")
    assert session.state()[0] == {"0": "pos", "2": "pos"}


def test_batch_query_and_teach_report_everything(tmp_path, pool, capsys):
    session = _session(tmp_path, pool)
    session.record("0", "pos")
    session.record("10", "neg")
    out = tmp_path / "batch.csv"
    assert main(["query", "--session", str(session.directory), "-n", "5", "--out", str(out)]) == 0
    batch = pd.read_csv(out, dtype={"id": str})
    assert list(batch.columns) == ["id", "text", "guess", "confidence", "score"] and len(batch) == 5
    assert not set(batch["id"]) & {"0", "10"}
    labels = pd.DataFrame({"id": ["1", "2", "2", "3", "3", "99", "4", "0", "10"],
                           "label": ["pos", "pos", "pos", "pos", "neg", "pos", "meh", "pos", "pos"]})
    labels.to_csv(tmp_path / "labelled.csv", index=False)
    code = main(["teach", "--session", str(session.directory), "--labels", str(tmp_path / "labelled.csv")])
    printed = capsys.readouterr().out
    assert code == 1
    assert "accepted 2 labels" in printed
    assert "unknown ids: ['99']" in printed and "unknown labels: [('4', 'meh')]" in printed
    assert "('3', ['pos', 'neg'])" in printed and "('10', ['neg', 'pos'])" in printed
    assert "taken once): ['2']" in printed and "not logged again): ['0']" in printed
    assert session.state()[0] == {"0": "pos", "10": "neg", "1": "pos", "2": "pos"}
    assert main(["teach", "--session", str(session.directory), "--labels", str(tmp_path / "labelled.csv"),
                 "--allow-partial"]) == 0


def test_label_studio_round_trip(tmp_path, pool):
    session = _session(tmp_path, pool)
    session.record("0", "pos")
    session.record("10", "neg")
    tasks_path = tmp_path / "tasks.json"
    assert main(["query", "--session", str(session.directory), "-n", "3", "--out", str(tasks_path)]) == 0
    tasks = json.loads(tasks_path.read_text())
    assert len(tasks) == 3 and tasks[0]["predictions"][0]["result"][0]["value"]["choices"][0] in ("pos", "neg")
    # what Label Studio exports after a person annotated them (one cancelled, one left alone)
    tasks[0]["annotations"] = [{"was_cancelled": False, "result": [
        {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]}]
    tasks[1]["annotations"] = [{"was_cancelled": True, "result": [{"value": {"choices": ["neg"]}}]}]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    frame = from_label_studio(export)
    assert frame["label"].iloc[0] == "pos" and frame["label"].iloc[1:].isna().all()
    assert main(["teach", "--session", str(session.directory), "--labels", str(export)]) == 0
    assert session.state()[0][tasks[0]["data"]["skal_id"]] == "pos"
    assert to_label_studio(session.query_batch(1))[0]["data"]["skal_id"]
    with pytest.raises(ValueError, match="skal_id"):
        from_label_studio([{"data": {"text": "x"}}])


def test_errors_table(tmp_path, pool, capsys):
    session = _session(tmp_path, pool)
    for row, label in list(TRUTH.items())[::2]:
        session.record(row, label)
    session.record("1", "neg")  # a wrong label the model should flag
    held_out = tmp_path / "held_out.csv"
    pd.DataFrame({"text": POS + NEG, "label": ["pos"] * 10 + ["neg"] * 10}).to_csv(held_out, index=False)
    assert main(["errors", "--session", str(session.directory), "--data", str(held_out)]) == 0
    table = pd.read_csv(session.directory / "errors.csv")
    assert set(table["kind"]) <= {"confident mistake", "uncertain"} and len(table) > 0
    assert main(["errors", "--session", str(session.directory), "--out", str(tmp_path / "cv.csv")]) == 0
    assert "uncertain" in capsys.readouterr().out


def test_bad_input(tmp_path, pool):
    session = _session(tmp_path, pool)
    with pytest.raises(ValueError, match="Unknown label 'maybe'"):
        session.record("0", "maybe")
    with pytest.raises(ValueError, match="Unknown id '500'"):
        session.record("500", "pos")
    assert session.status()["labelled"] == 0
    with pytest.raises(ValueError, match="other settings"):
        _session(tmp_path, pool, batch_size=5)
    with pytest.raises(ValueError, match="two distinct labels"):
        LabellingSession.create(tmp_path / "x", pool, labels=["pos"])
    with pytest.raises(ValueError, match="no column 'body'"):
        LabellingSession.create(tmp_path / "y", pool, text_column="body")
    with pytest.raises(FileNotFoundError, match="No labelling session"):
        LabellingSession.open(tmp_path / "nowhere")
    assert session.undo() is None
    assert main(["errors", "--session", str(session.directory)]) == 2
