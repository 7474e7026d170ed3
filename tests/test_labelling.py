"""LabellingSession: the log, resumption, retraining, batch teaching and the terminal loop."""

import doctest
import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import skal.labelling
from skal.labelling import LabellingSession, label_in_terminal
from skal.learners import ActiveLearner


@pytest.fixture
def pool(tmp_path, review_phrases):
    texts, labels = review_phrases
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    truth = dict(zip(map(str, range(len(texts))), labels))
    return path, truth


def _new(tmp_path, pool_path, **kwargs):
    kwargs = {"batch_size": 4, "classifier": "tfidf", **kwargs}
    return LabellingSession.create(tmp_path / "session", data=pool_path, text_column="text",
                                   labels=["pos", "neg"], **kwargs)


def _keyed(tmp_path, keys):
    """A session on three texts identified by the ``key`` column: (session, pool path)."""
    path = tmp_path / "pool.csv"
    pd.DataFrame({"key": keys, "text": ["good", "bad", "fine"]}).to_csv(path, index=False)
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg",
                                      id_column="key", classifier="tfidf")
    return session, path


def _log(session):
    lines = (session.directory / "labels.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _label_next(session, truth, k):
    """Answer the next ``k`` items truthfully (retraining when due); return their ids."""
    shown = []
    for _ in range(k):
        item = session.next_item()
        session.record(item.id, truth[item.id])
        shown.append(item.id)
        if session.retrain_due():
            session.retrain()
    return shown


def test_create_writes_config_and_empty_log(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    config = json.loads((tmp_path / "session" / "session.json").read_text())
    assert config["labels"] == ["pos", "neg"] and config["batch_size"] == 4
    assert config["classifier"] == "tfidf" and config["random_state"] == 0
    assert (tmp_path / "session" / "labels.jsonl").read_text() == ""
    assert session.status() == {"rows": 60, "labelled": 0, "counts": {"pos": 0, "neg": 0}, "skipped": 0,
                                "left": 60, "model_labels": 0, "unseen": 0, "retrain_in": None}


def test_create_existing_session(tmp_path, pool):
    _new(tmp_path, pool[0])
    with pytest.raises(ValueError, match="already holds a labelling session"):
        _new(tmp_path, pool[0])
    with pytest.raises(ValueError, match="started with labels pos,neg, not pos,neg,neu"):
        LabellingSession.create(tmp_path / "session", data=pool[0], text_column="text",
                                labels="pos,neg,neu", exist_ok=True)
    session = _new(tmp_path, pool[0], batch_size=7, exist_ok=True)
    assert session.config["batch_size"] == 7
    assert LabellingSession.open(tmp_path / "session").config["batch_size"] == 7


@pytest.mark.parametrize("kwargs, message", [
    ({"labels": ["pos"]}, "at least two labels"),
    ({"labels": ["pos", "pos"]}, "Duplicate label"),
    ({"labels": ["pos", "s"]}, "clashes with a terminal command"),
    ({"labels": "pos,,neg"}, "Empty label"),
    ({"strategy": "psychic"}, "Unknown strategy 'psychic'"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"classifier": "magic"}, "Unknown classifier 'magic'"),
    ({"text_column": "body"}, "has no column 'body'"),
    ({"id_column": "key"}, "has no column 'key'"),
])
def test_create_bad_input_writes_nothing(tmp_path, pool, kwargs, message):
    kwargs = {"data": pool[0], "text_column": "text", "labels": ["pos", "neg"], **kwargs}
    with pytest.raises(ValueError, match=message):
        LabellingSession.create(tmp_path / "session", **kwargs)
    assert not (tmp_path / "session").exists()


def test_open_missing_session(tmp_path):
    with pytest.raises(FileNotFoundError, match="No labelling session"):
        LabellingSession.open(tmp_path)


def test_id_column_keeps_ids_as_text(tmp_path):
    session, _ = _keyed(tmp_path, ["007", "8", "x9"])
    session.record("007", "pos")
    assert session.labels == {"007": "pos"}
    with pytest.raises(ValueError, match="Unknown row id '7'"):
        session.record("7", "neg")


@pytest.mark.parametrize("keys, message", [(["a", "a", "b"], "repeats ids \\['a'\\]"),
                                           (["a", "", "b"], "empty in 1 row")])
def test_bad_id_column(tmp_path, keys, message):
    path = tmp_path / "pool.csv"
    pd.DataFrame({"key": keys, "text": ["good", "bad", "fine"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=message):
        LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg", id_column="key")


def test_rows_without_text_are_never_shown(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("text,source\ngood,a\n,b\n   ,c\nbad,d\n")
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg",
                                      classifier="tfidf")
    assert session.status()["rows"] == 2
    shown = set()
    while (item := session.next_item()) is not None:
        shown.add(item.text)
        session.skip(item.id)
    assert shown == {"good", "bad"}
    with pytest.raises(ValueError, match="has no text"):
        session.record("1", "pos")


def test_cold_start_order_is_fixed_by_random_state(tmp_path, pool):
    first = _new(tmp_path / "a", pool[0]).next_item()
    again = _new(tmp_path / "b", pool[0]).next_item()
    other = _new(tmp_path / "c", pool[0], random_state=1).next_item()
    assert first.id == again.id != other.id
    assert first.guess is None and first.confidence is None


def test_each_label_is_on_disk_when_record_returns(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    item = session.next_item()
    session.record(item.id, "neg")
    (event,) = _log(session)
    assert event["event"] == "label" and event["id"] == item.id and event["label"] == "neg"
    assert event["source"] == "terminal" and "time" in event


def test_record_bad_input_changes_nothing(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    session.record("3", "pos")
    for row, label, message in [("99", "pos", "Unknown row id '99'"), ("4", "meh", "Unknown label 'meh'"),
                                ("3", "neg", "labelled already")]:
        with pytest.raises(ValueError, match=message):
            session.record(row, label)
    with pytest.raises(ValueError, match="labelled already"):
        session.skip("3")
    assert len(_log(session)) == 1 and session.labels == {"3": "pos"}


def test_retrain_every_batch_and_guesses(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    path, truth = pool
    # One class only: no model, whatever the count.
    pos_rows = [i for i, label in truth.items() if label == "pos"][:5]
    for row in pos_rows:
        session.record(row, "pos")
    assert not session.retrain_due() and session.status()["retrain_in"] is None
    session.record("59", "neg")
    assert session.retrain_due()
    session.retrain()
    assert (session.directory / "learner.joblib").exists()
    assert isinstance(session.learner, ActiveLearner)
    item = session.next_item()
    assert item.guess in ("pos", "neg") and 0.5 <= item.confidence <= 1
    assert session.status()["model_labels"] == 6 and session.status()["retrain_in"] == 4
    _label_next(session, truth, 3)
    assert not session.retrain_due()
    _label_next(session, truth, 1)  # the 4th new label retrains
    assert session.status()["model_labels"] == 10


def test_reopened_session_shows_the_same_queue(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    _label_next(session, pool[1], 6)
    upcoming = session.next_item().id
    reopened = LabellingSession.open(session.directory)
    assert reopened.next_item().id == upcoming
    assert reopened.labels == session.labels


def test_skip_and_undo(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    assert session.undo() is None
    a = session.next_item().id
    session.record(a, "pos")
    b = session.next_item().id
    session.skip(b)
    c = session.next_item().id
    assert len({a, b, c}) == 3 and session.skipped == {b}
    assert session.undo() == b  # the skip is taken back: b comes back first
    assert session.skipped == set() and session.next_item().id == b
    assert session.undo() == a and session.labels == {}
    assert session.next_item().id == a  # most recently undone first
    session.record(a, "neg")
    assert session.next_item().id == b
    events = [e["event"] for e in _log(session)]
    assert events == ["label", "skip", "undo", "undo", "label"]
    assert LabellingSession.open(session.directory).labels == {a: "neg"}


def test_undo_restores_a_relabelled_row(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    session.record("1", "pos")
    session.teach_batch(pd.DataFrame({"id": ["1"], "label": ["neg"]}), overwrite=True)
    assert session.labels == {"1": "neg"}
    assert session.undo() == "1"
    assert session.labels == {"1": "pos"}


def test_torn_last_line_is_ignored_then_cut(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    session.record("1", "pos")
    session.record("2", "neg")
    log = session.directory / "labels.jsonl"
    with open(log, "ab") as handle:  # what a kill -9 in the middle of a write leaves
        handle.write(b'{"event": "label", "id": "3", "lab')
    reopened = LabellingSession.open(session.directory)
    assert reopened.labels == {"1": "pos", "2": "neg"}
    with pytest.warns(RuntimeWarning, match="torn last line"):
        reopened.record("3", "neg")
    assert [e["id"] for e in _log(reopened)] == ["1", "2", "3"]
    assert LabellingSession.open(session.directory).labels == {"1": "pos", "2": "neg", "3": "neg"}


def test_corrupt_line_in_the_middle(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    log = session.directory / "labels.jsonl"
    log.write_text('{"event": "label", "id": "1", "label": "pos"}\nnot json\n'
                   '{"event": "label", "id": "2", "label": "neg"}\n')
    with pytest.raises(ValueError, match="labels.jsonl, line 2: not a JSON event"):
        LabellingSession.open(session.directory)
    log.write_text('{"event": "relabel", "id": "1"}\n')
    with pytest.raises(ValueError, match="line 1: not a label, skip or undo event"):
        LabellingSession.open(session.directory)


def test_crash_in_training_loses_nothing(tmp_path, pool, monkeypatch):
    session = _new(tmp_path, pool[0])
    _label_next(session, pool[1], 4)  # first model
    trained = session.status()["model_labels"]
    monkeypatch.setattr(ActiveLearner, "fit", lambda self, X, y: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        _label_next(session, pool[1], 4)
    monkeypatch.undo()
    reopened = LabellingSession.open(session.directory)
    assert len(reopened.labels) == 8 and reopened.status()["model_labels"] == trained
    assert reopened.retrain_due()  # the saved model lags the log by a batch
    reopened.retrain()
    assert reopened.status()["model_labels"] == 8 and reopened.status()["unseen"] == 0


def test_unreadable_learner_file_is_retrained(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    _label_next(session, pool[1], 5)
    (session.directory / "learner.joblib").write_bytes(b"garbage")
    with pytest.warns(RuntimeWarning, match="retrained from the label log"):
        reopened = LabellingSession.open(session.directory)
    assert reopened.learner is None and reopened.retrain_due()
    assert reopened.next_item().guess is None  # random order until then


def test_changing_the_classifier_retrains(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    _label_next(session, pool[1], 5)
    session.configure(strategy="random")
    assert not session.retrain_due()  # a new strategy only picks a new queue
    item = session.next_item()
    assert item.id not in session.labels and item.guess is not None
    assert LabellingSession.open(session.directory).config["strategy"] == "random"
    session.configure(classifier="embedding")
    assert session.retrain_due() and session.learner is None
    session.configure(classifier="tfidf")
    assert not session.retrain_due() and session.learner is not None
    with pytest.raises(ValueError, match="started with text_column 'text', not 'body'"):
        session.configure(text_column="body")


def test_two_processes_share_a_session(tmp_path, pool):
    one = _new(tmp_path, pool[0])
    two = LabellingSession.open(one.directory)
    one.record("5", "pos")
    with pytest.raises(ValueError, match="labelled already"):
        two.record("5", "neg")  # two catches up under the lock before writing
    two.record("6", "neg")
    assert one.labels == two.labels == {"5": "pos", "6": "neg"}
    assert two.undo() == "6" and one.undo() == "5"
    assert one.labels == two.labels == {}


def test_pool_edited_under_a_session(tmp_path, pool):
    path, _ = pool
    session = _new(tmp_path, path)
    session.record("0", "pos")
    frame = pd.read_csv(path)
    frame.iloc[::-1].to_csv(path, index=False)
    with pytest.raises(ValueError, match="changed since this session started"):
        LabellingSession.open(session.directory)


def test_pool_edited_with_id_column(tmp_path):
    session, path = _keyed(tmp_path, ["a", "b", "c"])
    session.record("a", "pos")
    session.record("b", "neg")
    pd.DataFrame({"key": ["b", "c", "d"], "text": ["bad", "fine", "nice"]}).to_csv(path, index=False)
    reopened = LabellingSession.open(session.directory)
    with pytest.warns(RuntimeWarning, match="1 labelled ids are not in"):
        assert reopened.status()["labelled"] == 1
    assert reopened.labels == {"a": "pos", "b": "neg"}  # kept in the log


def test_query_batch(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    with pytest.raises(ValueError, match="'n' parameter must be an int"):
        session.query_batch(0)
    cold = session.query_batch(5)
    assert list(cold.columns) == ["id", "text", "guess", "confidence", "score"]
    assert cold["guess"].isna().all() and cold["id"].tolist()[0] == session.next_item().id
    for row in ("0", "1", "30", "31"):
        session.record(row, pool[1][row])
    batch = session.query_batch(10)  # retrains first: the model lags the log
    assert session.status()["model_labels"] == 4
    assert len(batch) == 10 and set(batch["guess"]) <= {"pos", "neg"}
    assert np.all(np.diff(batch["score"].to_numpy()) <= 1e-12)  # most informative first
    assert not set(batch["id"]) & {"0", "1", "30", "31"}
    assert len(session.query_batch(100)) == 56  # clipped to what is left


def test_query_batch_when_everything_is_done(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("text\ngood\nbad\n")
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg",
                                      classifier="tfidf")
    session.record("0", "pos")
    session.skip("1")
    with pytest.raises(ValueError, match="Every row of the pool is labelled or skipped"):
        session.query_batch(3)
    assert session.query_batch(3, include_skipped=True)["id"].tolist() == ["1"]
    assert session.next_item() is None


def test_teach_batch_reports_every_row(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    session.record("1", "pos")
    session.record("2", "neg")
    batch = pd.DataFrame({
        "id": ["3", "4", "4", "99", "5", "6", "6", "1", "2", None, "7", " 8 "],
        "label": ["pos", "neg", "neg", "pos", "meh", "pos", "neg", "pos", "pos", "neg", "", "pos "],
    })
    report = session.teach_batch(batch)
    expected = ["added", "added", "duplicate", "rejected", "rejected", "rejected", "rejected", "unchanged",
                "rejected", "rejected", "blank", "added"]
    assert report.rows["status"].tolist() == expected
    assert report.rows["reason"].tolist()[3:7] == [
        "unknown id", "unknown label", "conflicting labels for this id in the batch",
        "conflicting labels for this id in the batch"]
    assert report.rows["reason"][8].startswith("conflicts with the existing label")
    assert report.rows["existing"][8] == "neg" and report.rows["reason"][9] == "missing id"
    assert report.n_rejected == 6 and not report.applied
    assert "6 rejected" in report.summary() and "nothing was written" in report.summary()
    assert session.labels == {"1": "pos", "2": "neg"} and len(_log(session)) == 2  # nothing written

    report = session.teach_batch(batch, allow_partial=True, source="teach:batch.csv")
    assert report.applied and session.labels == {"1": "pos", "2": "neg", "3": "pos", "4": "neg", "8": "pos"}
    assert {e["source"] for e in _log(session)[2:]} == {"teach:batch.csv"}

    report = session.teach_batch(pd.DataFrame({"id": ["2", "3"], "label": ["pos", "pos"]}), overwrite=True)
    assert report.rows["status"].tolist() == ["relabelled", "unchanged"] and report.applied
    assert session.labels["2"] == "pos"


def test_teach_batch_labels_skipped_rows(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    session.skip("9")
    session.teach_batch(pd.DataFrame({"id": ["9"], "label": ["pos"]}))
    assert session.labels == {"9": "pos"} and session.skipped == set()


def test_teach_batch_missing_columns(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    with pytest.raises(ValueError, match="no column 'label'; its columns are 'id', 'answer'"):
        session.teach_batch(pd.DataFrame({"id": ["1"], "answer": ["pos"]}))


def test_errors_cross_validated_and_held_out(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    with pytest.raises(ValueError, match="at least two classes"):
        session.errors()
    truth = pool[1]
    rows = [str(i) for i in range(0, 60, 3)]
    session.teach_batch(pd.DataFrame({"id": rows, "label": [truth[r] for r in rows]}))
    session.teach_batch(pd.DataFrame({"id": ["1"], "label": ["neg"]}))  # a wrong label
    table = session.errors(n=5, cv=3)
    assert set(table["kind"]) <= {"confident mistake", "uncertain"}
    assert (table["kind"] == "uncertain").sum() == 5
    assert {"id", "text", "label", "predicted", "confidence", "p_label"} <= set(table.columns)
    held = session.errors(["a wonderful film", "a dreadful bore"], ["pos", "neg"], n=2)
    assert (held["kind"] == "uncertain").sum() == 2 and held["id"].tolist()[-2:] in (["0", "1"], ["1", "0"])
    with pytest.raises(ValueError, match="not among the session's labels"):
        session.errors(["text"], ["neutral"])


# ------------------------------------------------------------------ terminal
def _terminal(session, answers, **kwargs):
    out = io.StringIO()
    result = label_in_terminal(session, stdin=io.StringIO("".join(f"{a}\n" for a in answers)), stdout=out,
                               **kwargs)
    return result, out.getvalue()


def test_terminal_session(tmp_path, pool):
    session = _new(tmp_path, pool[0])
    truth = pool[1]
    shown = []

    class Answers(io.StringIO):
        """Answers each text truthfully, with a bad answer, a skip and an undo along the way."""

        script = {3: "?", 4: "s", 5: "u"}

        def readline(self):
            row = out.getvalue().rsplit("\nid ", 1)[1].split(" ", 1)[0]
            shown.append(row)
            if len(shown) in self.script:
                return self.script[len(shown)] + "\n"
            if len(shown) > 14:
                return ""  # end of input quits
            return ("1" if truth[row] == "pos" else "neg") + "\n"

    out = io.StringIO()
    held = (["a wonderful film", "a dreadful bore"], ["pos", "neg"])
    result = label_in_terminal(session, stdin=Answers(), stdout=out, eval_set=held)
    text = out.getvalue()
    assert result["ended"] == "quit" and result["labelled"] == 11 and result["skipped"] == 0
    assert "no model yet (random order)" in text and "model: " in text
    assert "unknown answer '?'" in text and "undone: id" in text
    assert "retraining on 4 labels" in text and "held-out accuracy" in text
    assert shown[2] == shown[3] == shown[5] != shown[4]  # re-asked, skipped, undone: shown again
    assert session.labels == {row: truth[row] for row in session.labels}
    assert "run the same command to resume" in text


def test_terminal_resumes_and_finishes(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("text\ngood\nbad\nfine\n")
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="pos,neg",
                                      classifier="tfidf", batch_size=2)
    result, text = _terminal(session, ["pos", "q"])
    assert result["ended"] == "quit" and result["labelled"] == 1
    result, text = _terminal(LabellingSession.open(session.directory), ["NEG", "2"])
    assert "resuming: 1 labelled" in text and "every row is labelled or skipped" in text
    assert result["ended"] == "done" and result["labelled"] == 3


def test_terminal_label_names_that_are_numbers(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("text\ngood\nbad\n")
    session = LabellingSession.create(tmp_path / "s", data=path, text_column="text", labels="0,1",
                                      classifier="tfidf")
    result, text = _terminal(session, ["1", "2", "0"])
    assert "unknown answer '2'" in text  # numbers are names here, not positions
    assert sorted(session.labels.values()) == ["0", "1"]


def test_terminal_keeps_going_when_retraining_fails(tmp_path, pool, monkeypatch):
    session = _new(tmp_path, pool[0], batch_size=2)
    monkeypatch.setattr(LabellingSession, "retrain", lambda self: 1 / 0)
    answers = []
    for row in (str(i) for i in np.random.RandomState(0).permutation(60)[:6]):
        answers.append(pool[1][row])
    result, text = _terminal(session, answers)
    assert "retraining failed (ZeroDivisionError" in text and result["labelled"] == 6
    # Tried again one batch later each time, not after every label.
    assert [f"retraining on {n} labels" in text for n in range(2, 7)] == [True, False, True, False, True]
    assert text.count("retraining failed") == 3


def test_terminal_interrupt(tmp_path, pool):
    session = _new(tmp_path, pool[0])

    class CtrlC(io.StringIO):
        def readline(self):
            raise KeyboardInterrupt

    out = io.StringIO()
    result = label_in_terminal(session, stdin=CtrlC(), stdout=out)
    assert result["ended"] == "interrupted" and "Every label is saved" in out.getvalue()


def test_terminal_bad_held_out_labels(tmp_path, pool):
    with pytest.raises(ValueError, match="held-out labels \\['neutral'\\]"):
        label_in_terminal(_new(tmp_path, pool[0]), stdin=io.StringIO(""), stdout=io.StringIO(),
                          eval_set=(["x"], ["neutral"]))


def test_docstring_examples():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(skal.labelling, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_embedding_preset_saves_and_reloads(tmp_path, pool, tiny_bert_path):
    session = _new(tmp_path, pool[0], classifier="embedding", model=tiny_bert_path)
    _label_next(session, pool[1], 5)
    assert session.status()["model_labels"] == 4
    assert any((session.directory / "embeddings").rglob("*.npz"))  # the pool is embedded once, cached
    reopened = LabellingSession.open(session.directory)
    item = reopened.next_item()
    assert item.guess in ("pos", "neg") and item.id == session.next_item().id


def test_strategy_names_are_single_model_strategies():
    names = skal.labelling.strategy_names()
    assert {"uncertainty", "entropy", "margin", "random", "coreset", "badge"} <= set(names)
    assert not {"vote_entropy", "max_disagreement", "consensus_entropy", "max_std"} & set(names)


def test_create_needs_labels(tmp_path, pool):
    with pytest.raises(ValueError, match="needs its label set"):
        LabellingSession.create(tmp_path / "s", pool[0])
    assert LabellingSession.create(tmp_path / "s", pool[0], labels="pos,neg").config["text_column"] == "text"
