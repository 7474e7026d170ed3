"""The labelling server's API, through Starlette's TestClient (in-process, no network)."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from starlette.testclient import TestClient

from skal.labelling import LabellingSession, storage
from skal.labelling.web import create_app

GOOD = ["wonderful", "moving", "brilliant", "funny", "charming", "superb"]
BAD = ["dull", "boring", "awful", "tedious", "clumsy", "lifeless"]
TEXTS = [f"a {w} {t}" for w in GOOD + BAD for t in ("film", "story", "cast")]
TRUTH = {str(i): ("pos" if i < 18 else "neg") for i in range(len(TEXTS))}


@pytest.fixture
def directory(labelling_directory):
    return labelling_directory(TEXTS)


def _client(directory, **kwargs):
    kwargs = {"background": False, "cv": 2, **kwargs}
    return TestClient(create_app(directory, **kwargs))


def _log(directory):
    return [json.loads(line) for line in (directory / "labels.jsonl").read_text().splitlines()]


def _label_truthfully(app, client, k):
    """Answer ``k`` texts as ``ann``, truthfully, letting each background retrain finish."""
    for _ in range(k):
        item = client.get("/api/next", params={"annotator": "ann"}).json()["item"]
        assert client.post("/api/label", json={"id": item["id"], "label": TRUTH[item["id"]],
                                                "annotator": "ann"}).status_code == 200
        app.state.trainer.join(60)


def test_page_and_first_text(directory):
    client = _client(directory)
    page = client.get("/")
    assert page.status_code == 200 and 'id="buttons"' in page.text
    data = client.get("/api/next", params={"annotator": "ann"}).json()
    assert data["item"]["text"] in TEXTS and data["item"]["guess"] is None
    assert data["labels"] == ["pos", "neg"] and data["status"]["left"] == len(TEXTS)
    assert "too early" in data["stopping"]


def test_concurrent_annotators_get_different_texts(directory):
    client = _client(directory)
    names = [f"annotator{i}" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        items = list(pool.map(lambda n: client.get("/api/next", params={"annotator": n}).json()["item"], names))
    assert len({item["id"] for item in items}) == 8
    # Asking again gives each the same text (their lease), still all different.
    again = [client.get("/api/next", params={"annotator": n}).json()["item"]["id"] for n in names]
    assert again == [item["id"] for item in items]
    answer = {"id": items[0]["id"], "label": TRUTH[items[0]["id"]], "annotator": names[0]}
    assert client.post("/api/label", json=answer).status_code == 200
    nxt = client.get("/api/next", params={"annotator": names[0]}).json()["item"]["id"]
    assert nxt not in {item["id"] for item in items}


def test_label_is_on_disk_before_the_response(directory, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        real_fsync(fd)
        synced.append((directory / "labels.jsonl").read_text())

    monkeypatch.setattr(storage.os, "fsync", fsync)
    client = _client(directory)
    item = client.get("/api/next", params={"annotator": "ann"}).json()["item"]
    response = client.post("/api/label", json={"id": item["id"], "label": "pos", "annotator": "ann"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert synced and f'"id": "{item["id"]}"' in synced[-1]  # fsync-ed before the answer came
    (event,) = _log(directory)
    assert event["annotator"] == "ann" and event["source"] == "web" and event["label"] == "pos"
    # A retry of the same answer (its response was lost) is a success and writes nothing.
    again = client.post("/api/label", json={"id": item["id"], "label": "pos", "annotator": "ann"})
    assert again.json()["repeated"] is True and len(_log(directory)) == 1


def test_skip_undo_correct_and_history(directory):
    client = _client(directory)
    first = client.get("/api/next", params={"annotator": "ann"}).json()["item"]["id"]
    client.post("/api/label", json={"id": first, "label": "pos", "annotator": "ann"})
    second = client.get("/api/next", params={"annotator": "ann"}).json()["item"]["id"]
    assert client.post("/api/skip", json={"id": second, "annotator": "ann"}).status_code == 200
    assert client.post("/api/undo", json={"annotator": "ann"}).json()["id"] == second
    assert client.get("/api/next", params={"annotator": "ann"}).json()["item"]["id"] == second
    assert client.post("/api/undo", json={"annotator": "bob"}).json()["id"] is None  # bob did nothing
    corrected = client.post("/api/correct", json={"id": first, "label": "neg", "annotator": "bob"}).json()
    assert corrected["changed"] is True
    rows = client.get("/api/history").json()["rows"]
    assert [(r["id"], r["label"], r["annotator"], r["disagreement"]) for r in rows] == [(first, "neg", "bob", True)]
    assert LabellingSession.open(directory).labels == {first: "neg"}
    csv = client.get("/api/export", params={"format": "csv"})
    assert "attachment" in csv.headers["content-disposition"]
    assert pd.read_csv(pd.io.common.StringIO(csv.text), dtype=str)["label"].tolist() == ["neg"]
    assert client.get("/api/status").json()["disagreements"] == 1


@pytest.mark.parametrize("method, path, body, code", [
    ("post", "/api/label", {"id": "0", "label": "meh", "annotator": "ann"}, 400),
    ("post", "/api/label", {"id": "999", "label": "pos", "annotator": "ann"}, 404),
    ("post", "/api/label", {"id": "../session.json", "label": "pos", "annotator": "ann"}, 404),
    ("post", "/api/label", {"id": "0", "label": "pos", "annotator": "../../etc"}, 422),
    ("post", "/api/label", {"id": "0", "label": "pos"}, 422),
    ("post", "/api/correct", {"id": "1", "label": "pos", "annotator": "ann"}, 409),
    ("post", "/api/skip", {"id": "5", "annotator": "ann"}, 409),
    ("post", "/api/correct", {"id": "5", "label": "sideways", "annotator": "ann"}, 400),
    ("get", "/api/next?annotator=", None, 422),
    ("get", "/api/export?format=../../etc/passwd", None, 400),
    ("get", "/../session.json", None, 404),
    ("get", "/static/..%2f..%2fsession.json", None, 404),
    ("get", "/api/export/../../labels.jsonl", None, 404),
    ("get", "/labels.jsonl", None, 404),
])
def test_bad_requests_change_nothing(directory, tmp_path, method, path, body, code):
    client = _client(directory)
    client.post("/api/label", json={"id": "5", "label": "pos", "annotator": "ann"})
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    response = getattr(client, method)(path, **({} if body is None else {"json": body}))
    assert response.status_code == code, response.text
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_token_is_required_on_every_request(directory):
    client = _client(directory, token="s3cret")
    for path in ("/", "/api/next?annotator=ann", "/api/status", "/api/history", "/api/export"):
        response = client.get(path)
        assert response.status_code == 401 and "token" in response.json()["detail"]
        assert "a wonderful" not in response.text  # no pool text without the token
    assert client.post("/api/label", json={"id": "0", "label": "pos", "annotator": "a"}).status_code == 401
    assert client.get("/api/status", headers={"X-Skal-Token": "wrong"}).status_code == 401
    assert _log(directory) == []
    assert client.get("/api/status", headers={"X-Skal-Token": "s3cret"}).status_code == 200
    assert client.get("/api/next", params={"annotator": "ann", "token": "s3cret"}).status_code == 200
    page = client.get("/", params={"token": "s3cret"})
    assert page.status_code == 200 and client.get("/api/status").status_code == 200  # the page's cookie


def test_background_retrain_records_the_learning_curve(directory):
    app = create_app(directory, background=True, cv=2)
    client = TestClient(app)
    _label_truthfully(app, client, 8)
    status = client.get("/api/status").json()
    assert status["training"]["error"] is None and not status["training"]["running"]
    assert [p["labels"] for p in status["curve"]] == [4, 8]
    assert 0 <= status["accuracy"] <= 1 and "cross-validated on 8 labels" in status["accuracy_kind"]
    assert status["status"]["model_labels"] == 8
    assert "predictions" in status["stopping"]  # a sentence from skal.stopping once two models exist
    assert client.get("/api/next", params={"annotator": "ann"}).json()["item"]["guess"] in ("pos", "neg")


def test_only_loopback_host_names_when_asked(directory):
    app = create_app(directory, background=False, allowed_hosts=["127.0.0.1", "localhost"])
    assert TestClient(app).get("/api/status").status_code == 400  # addressed as "testserver"
    assert TestClient(app, base_url="http://127.0.0.1:8765").get("/api/status").status_code == 200


def test_a_failing_retrain_is_shown_and_retried_a_batch_later(directory, monkeypatch):
    calls = []

    def broken(self):
        calls.append(1)
        raise RuntimeError("out of memory")

    monkeypatch.setattr(LabellingSession, "retrain", broken)
    app = create_app(directory, background=True, cv=2)
    client = TestClient(app)
    _label_truthfully(app, client, 7)
    status = client.get("/api/status").json()
    assert status["training"]["error"] == "RuntimeError: out of memory"
    assert len(calls) == 1 and status["status"]["labelled"] == 7  # labels kept; retried at 8, not at each
