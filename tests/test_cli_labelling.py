"""skal label / query / teach / errors: piped stdin, killed sessions, batch files."""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli as _run

import skal

PROMPT = "[q]uit > "


@pytest.fixture
def files(tmp_path, review_phrases):
    texts, labels = review_phrases
    pool = tmp_path / "pool.csv"
    pd.DataFrame({"text": texts}).to_csv(pool, index=False)
    held = tmp_path / "held.csv"
    pd.DataFrame({"text": texts[::4], "label": labels[::4]}).to_csv(held, index=False)
    truth = dict(zip(map(str, range(len(texts))), labels))
    return {"pool": pool, "held": held, "session": tmp_path / "session", "truth": truth}


def _label_args(files, *extra):
    return ["label", "--session", files["session"], "--data", files["pool"], "--labels", "pos,neg",
            "--classifier", "tfidf", "--batch-size", 3, *extra]


def _events(files):
    return [json.loads(line) for line in (files["session"] / "labels.jsonl").read_text().splitlines()]


def test_label_with_piped_stdin_then_resume(files, capsys):
    code = _run(_label_args(files, "--eval", files["held"]), "1\n2\n1\ns\nu\n2\nneg\nq\n")
    out = capsys.readouterr().out
    assert code == 0
    assert out.count(PROMPT) == 8 and "no model yet (random order)" in out
    assert "retraining on 3 labels" in out and "held-out accuracy" in out
    assert "undone: id" in out and "Every label is saved" in out
    labels = [e for e in _events(files) if e["event"] == "label"]
    assert [e["label"] for e in labels] == ["pos", "neg", "pos", "neg", "neg"]

    # The same command resumes; so does the short form.
    code = _run(["label", "--session", files["session"]], "pos\n")
    out = capsys.readouterr().out
    assert code == 0 and "resuming: 5 labelled (pos 2, neg 3)" in out and "classifier tfidf" in out
    assert len([e for e in _events(files) if e["event"] == "label"]) == 6


def test_label_bad_input(files, capsys):
    assert _run(["label", "--session", files["session"], "--labels", "pos,neg"]) == 2
    assert "holds no session yet: give --data to start one" in capsys.readouterr().err
    assert _run(_label_args(files), "q\n") == 0
    capsys.readouterr()
    assert _run(_label_args(files)[:-4] + ["--labels", "pos,neg,neu"], "q\n") == 2
    assert "was started with labels pos,neg, not pos,neg,neu" in capsys.readouterr().err
    assert _run(["label", "--session", files["session"], "--strategy", "psychic"]) == 2
    assert "Unknown strategy 'psychic'" in capsys.readouterr().err
    bad = files["held"].with_name("bad.csv")
    pd.DataFrame({"text": ["x"], "label": ["neutral"]}).to_csv(bad, index=False)
    assert _run(["label", "--session", files["session"], "--eval-data", bad]) == 2
    assert "held-out labels ['neutral']" in capsys.readouterr().err


def test_query_teach_round_trip(files, tmp_path, capsys):
    assert _run(_label_args(files), "1\n2\n1\nq\n") == 0
    batch = tmp_path / "batch.csv"
    assert _run(["query", "--session", files["session"], "-n", 5, "--out", batch]) == 0
    out = capsys.readouterr().out
    assert "wrote 5 rows" in out and "model trained on 3 labels" in out
    frame = pd.read_csv(batch, dtype=str, keep_default_na=False)
    frame["label"] = [files["truth"][i] for i in frame["id"]]
    frame.to_csv(batch, index=False)
    assert _run(["teach", "--session", files["session"], "--labels", batch]) == 0
    out = capsys.readouterr().out
    assert "5 added" in out and "session: 8 labelled" in out
    assert {e["source"] for e in _events(files)[3:]} == {"teach:batch.csv"}
    # The same file again changes nothing and is not an error.
    assert _run(["teach", "--session", files["session"], "--labels", batch]) == 0
    assert "5 unchanged" in capsys.readouterr().out and len(_events(files)) == 8


def test_teach_rejects_bad_rows(files, tmp_path, capsys):
    assert _run(_label_args(files), "q\n") == 0
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label\n1,pos\n1,pos\n2,neg\n2,pos\n999,pos\n3,meh\n4,\n5,neg\n")
    assert _run(["teach", "--session", files["session"], "--labels", labels]) == 1
    captured = capsys.readouterr()
    assert "2 added, 1 duplicate, 1 blank, 4 rejected" in captured.out
    assert "unknown id: 1" in captured.out and "unknown label: 1" in captured.out
    assert "conflicting labels for this id in the batch: 2" in captured.out
    assert "999" in captured.out and "nothing was written" in captured.err
    assert _events(files) == []
    assert _run(["teach", "--session", files["session"], "--labels", labels, "--allow-partial"]) == 0
    assert [(e["id"], e["label"]) for e in _events(files)] == [("1", "pos"), ("5", "neg")]
    conflict = tmp_path / "conflict.csv"
    conflict.write_text("row,answer\n5,pos\n")
    args = ["teach", "--session", files["session"], "--labels", conflict, "--id-column", "row",
            "--label-column", "answer"]
    assert _run(args) == 1 and "conflicts with the existing label" in capsys.readouterr().out
    assert _run(args + ["--overwrite"]) == 0 and "1 relabelled" in capsys.readouterr().out
    assert _run(["teach", "--session", files["session"], "--labels", tmp_path / "nope.csv"]) == 2
    assert "No such labels file" in capsys.readouterr().err


def test_label_studio_round_trip(files, tmp_path, capsys):
    assert _run(_label_args(files), "1\n2\n1\nq\n") == 0
    tasks_path = tmp_path / "tasks.json"
    assert _run(["query", "--session", files["session"], "-n", 4, "--out", tasks_path]) == 0
    assert "wrote 4 Label Studio tasks" in capsys.readouterr().out
    assert "<Choice value=\"neg\"/>" in (tmp_path / "tasks.label_config.xml").read_text()
    tasks = json.loads(tasks_path.read_text())
    assert all(task["predictions"][0]["model_version"] == "skal uncertainty" for task in tasks)
    for number, task in enumerate(tasks, 1):  # what Label Studio's JSON export gives back
        label = files["truth"][task["data"]["skal_id"]]
        task.update(id=number, annotations=[{"id": number, "was_cancelled": False, "result": [
            {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]}])
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    assert _run(["teach", "--session", files["session"], "--labels", export]) == 0
    assert "4 added" in capsys.readouterr().out
    assert len(_events(files)) == 7


def test_errors_command(files, tmp_path, capsys):
    assert _run(["errors", "--session", files["session"]]) == 2
    assert "No labelling session" in capsys.readouterr().err
    assert _run(_label_args(files), "q\n") == 0
    rows = [str(i) for i in range(0, 60, 4)]
    labels = tmp_path / "labels.csv"
    pd.DataFrame({"id": rows, "label": [files["truth"][r] for r in rows]}).to_csv(labels, index=False)
    assert _run(["teach", "--session", files["session"], "--labels", labels]) == 0
    capsys.readouterr()
    assert _run(["errors", "--session", files["session"], "-n", 3, "--cv", 3]) == 0
    out = capsys.readouterr().out
    assert "3-fold out-of-fold" in out and "most uncertain rows (3)" in out
    table = pd.read_csv(files["session"] / "errors.csv")
    assert set(table["kind"]) <= {"confident mistake", "uncertain"}
    out_path = tmp_path / "held_errors.csv"
    assert _run(["errors", "--session", files["session"], "--data", files["held"], "-n", 2,
                 "--out", out_path]) == 0
    assert "held-out rows of" in capsys.readouterr().out
    assert (pd.read_csv(out_path)["kind"] == "uncertain").sum() == 2


# -------------------------------------------------- real processes, killed
class _Session:
    """A ``skal label`` subprocess driven through its stdin, one answer per prompt."""

    def __init__(self, args, cwd, code=None):
        command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "skal", *args]
        root = str(Path(skal.__file__).resolve().parents[1])
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore",
               "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
        self.chunks, self.output, self.seen = queue.Queue(), "", 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        while chunk := os.read(self.process.stdout.fileno(), 4096):
            self.chunks.put(chunk.decode())
        self.chunks.put(None)

    def expect(self, marker, timeout=120):
        """Wait for ``marker`` after what was seen so far; return the text up to it."""
        deadline = time.monotonic() + timeout
        while marker not in self.output[self.seen:]:
            try:
                chunk = self.chunks.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                chunk = ""
            if chunk is None or time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} in the output:\n{self.output}")
            self.output += chunk
        end = self.output.index(marker, self.seen) + len(marker)
        text, self.seen = self.output[self.seen:end], end
        return text

    def answer(self, text):
        """Wait for the prompt, answer it; return the id that was shown."""
        shown = self.expect(PROMPT)
        self.process.stdin.write(f"{text}\n".encode())
        return re.findall(r"^id (\S+) \|", shown, flags=re.M)[-1]

    def kill(self, sig=signal.SIGKILL):
        """Send ``sig``; return the exit code once the output is read to its end."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=60)
        while (chunk := self.chunks.get(timeout=60)) is not None:
            self.output += chunk
        return code


#: Runs ``skal`` with every model fit blocking after saying so: the test kills it mid-retrain.
SLOW_FIT = """
import sys, time
import skal.learners
fit = skal.learners.ActiveLearner.fit
def slow_fit(self, X, y):
    print("FIT STARTED", flush=True)
    time.sleep(300)
    return fit(self, X, y)
skal.learners.ActiveLearner.fit = slow_fit
from skal.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_killed_sessions_resume_with_every_label(files, tmp_path):
    args = [str(a) for a in _label_args(files)]
    given = {}

    # 1. Three labels, a retrain, one more label; SIGKILL while the next text waits for an answer.
    run = _Session(args, tmp_path)
    for answer in ("pos", "neg", "pos"):
        given[run.answer(answer)] = answer
    run.expect("model updated")
    given[run.answer("neg")] = "neg"
    waiting = re.findall(r"^id (\S+) \|", run.expect(PROMPT), flags=re.M)[-1]
    assert run.kill() == -signal.SIGKILL
    assert [(e["id"], e["label"]) for e in _events(files)] == list(given.items())

    # 2. It resumes at the very text it was showing. Two labels complete a batch; SIGKILL mid-retrain.
    run = _Session(args, tmp_path, code=SLOW_FIT)
    assert "resuming: 4 labelled" in run.expect("resuming:") + run.expect("\n")
    shown = run.answer("neg")
    assert shown == waiting
    given[shown] = "neg"
    given[run.answer("pos")] = "pos"
    run.expect("retraining on 6 labels")
    run.expect("FIT STARTED")
    assert run.kill() == -signal.SIGKILL
    assert [(e["id"], e["label"]) for e in _events(files)] == list(given.items())

    # 3. The saved model lags the log by a batch: retrained at once. Then Ctrl-C at the prompt.
    run = _Session(args, tmp_path)
    run.expect("retraining on 6 labels (the saved model lags the label log by 3)")
    run.expect("model updated")
    shown = run.answer("pos")
    given[shown] = "pos"
    run.expect(PROMPT)
    assert run.kill(signal.SIGINT) == 130
    assert "Every label is saved" in run.output

    events = _events(files)
    assert [(e["id"], e["label"]) for e in events] == list(given.items())
    assert len({e["id"] for e in events}) == 7  # no row labelled twice
