"""``skal serve`` as a real process: SIGKILL at random moments loses no acknowledged label, and
one server per session; ``skal export`` / ``skal status``; a token off the loopback interface."""

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
from starlette.testclient import TestClient

from skal.cli import main
from skal.labelling import LabellingSession

ROOT = Path(__file__).resolve().parents[1]
GOOD, BAD = ("wonderful", "moving", "superb"), ("dull", "boring", "awful")
TEXTS = [f"a {w} {t} number {i}" for i in range(15) for w in GOOD + BAD
         for t in ("film", "story", "cast")]  # 270: more than a few seconds of answers


@pytest.fixture
def directory(labelling_directory):
    return labelling_directory(TEXTS)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(directory, log):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "skal", "serve", "--session", str(directory),
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"skal serve exited with {proc.returncode}")
        try:
            httpx.get(url + "/api/status", timeout=2).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("skal serve did not come up")


def test_sigkill_at_random_moments_loses_no_acknowledged_label(directory, tmp_path, capsys):
    rng = random.Random(0)
    acked, per_run = {}, []
    log = open(tmp_path / "server.log", "ab")
    for run in range(3):
        proc, url = _start(directory, log)
        if run == 0:  # one server per session: a second one is refused with a clear message
            code = main(["serve", "--session", str(directory), "--port", str(_free_port())])
            err = capsys.readouterr().err
            assert code == 2 and "already served (skal serve on 127.0.0.1:" in err and "stop that server" in err
        killer = threading.Timer(rng.uniform(0.5, 2.0), lambda p=proc: p.send_signal(signal.SIGKILL))
        killer.start()
        try:
            with httpx.Client(base_url=url, timeout=10) as client:
                while True:
                    item = client.get("/api/next", params={"annotator": "bot"}).json()["item"]
                    if item is None:
                        break
                    label = "pos" if item["text"].split()[1] in GOOD else "neg"
                    response = client.post("/api/label", json={"id": item["id"], "label": label,
                                                                 "annotator": "bot"})
                    assert response.status_code == 200, response.text
                    acked[item["id"]] = label  # the server said it is on disk
        except httpx.HTTPError:
            pass  # killed mid-request: that answer was not acknowledged
        killer.join()
        proc.wait(10)
        per_run.append(len(acked))
        assert proc.returncode == -signal.SIGKILL
    log.close()
    print("acknowledged after each run:", per_run)
    assert len(acked) < len(TEXTS) and per_run[0] > 0, per_run  # each kill came in the middle of labelling
    assert main(["export", "--session", str(directory), "--out", str(tmp_path / "labels.csv")]) == 0
    exported = pd.read_csv(tmp_path / "labels.csv", dtype=str)
    assert not exported["id"].duplicated().any()
    got = dict(zip(exported["id"], exported["label"]))
    assert all(got.get(row) == label for row, label in acked.items())
    events = pd.read_json(directory / "labels.jsonl", lines=True, dtype={"id": str})
    labelled = events[events["event"] == "label"]["id"]
    assert not labelled.duplicated().any()  # every label written exactly once


def test_serve_creates_the_session_and_needs_a_token_off_loopback(tmp_path, monkeypatch, capsys):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, host=host, port=port))
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(path, index=False)
    assert main(["serve", "--session", str(tmp_path / "new"), "--data", str(path), "--labels", "pos,neg",
                 "--classifier", "tfidf", "--host", "0.0.0.0", "--port", "9999"]) == 0
    out = capsys.readouterr().out
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9999
    token = out.split("?token=")[1].split()[0]
    client = TestClient(seen["app"])
    assert client.get("/api/next", params={"annotator": "ann"}).status_code == 401
    assert client.get("/api/next", params={"annotator": "ann"}, headers={"X-Skal-Token": token}).status_code == 200
    assert main(["serve", "--session", str(tmp_path / "new")]) == 0  # reopens; loopback needs no token
    assert TestClient(seen["app"], base_url="http://127.0.0.1:8765").get("/api/status").status_code == 200
    assert TestClient(seen["app"], base_url="http://evil.example").get("/api/status").status_code == 400
    assert main(["serve", "--session", str(tmp_path / "other")]) == 2
    assert "give --data and --labels" in capsys.readouterr().err


def test_export_and_status_commands(directory, tmp_path, capsys):
    session = LabellingSession.open(directory)
    session.record("1", "pos", annotator="ann")
    session.record("2", "pos", annotator="ann")
    session.correct("2", "neg", annotator="bob")
    session.record("3", "neg", annotator="bob")
    session.undo(annotator="bob")
    assert main(["status", "--session", str(directory)]) == 0
    out = capsys.readouterr().out
    assert "2 labelled (pos 1, neg 1)" in out and "annotators: ann 1, bob 1" in out
    assert "1 text(s) labelled differently" in out
    out_file = tmp_path / "x" / "labels.json"
    assert main(["export", "--session", str(directory), "--format", "label-studio", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "wrote 2 labels (label-studio)" in out and "ann=pos; bob=neg" in out
    assert main(["teach", "--session", str(directory), "--labels", str(out_file)]) == 0  # reads its own export
    assert "2 unchanged" in capsys.readouterr().out
