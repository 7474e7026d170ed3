"""Faults found by trying to break `skal label` (issue 11): every setting checked before anything is
written, labels holding commas, two processes on one row, unwritable folders, edited and moved pools."""

import errno
import io
import os
import shutil

import pandas as pd
import pytest
from conftest import run_cli

from skal.labelling import CONFIG_FILE, AlreadyLabelledError, LabellingSession, label_in_terminal
from skal.labelling.learner_cache import LearnerCache

TEXTS = [f"a {w} film" for w in ("great", "fine", "superb", "lovely", "awful", "dull", "boring", "bad")] * 3


@pytest.fixture
def pool(tmp_path):
    path = tmp_path / "pool.csv"
    pd.DataFrame({"key": [f"r{i}" for i in range(len(TEXTS))], "text": TEXTS}).to_csv(path, index=False)
    return path


def _run(*args, stdin=""):
    return run_cli(args, stdin=stdin)


def _label(session, pool, *extra, stdin="q\n"):
    return _run("label", "--session", session, "--data", pool, *extra, stdin=stdin)


def _truth(text):
    return "pos" if any(w in text for w in ("great", "fine", "superb", "lovely")) else "neg"


@pytest.mark.parametrize("extra, message", [
    (["--random-state", "-1"], "random_state must be an integer between 0 and"),
    (["--random-state", str(2 ** 40)], "random_state must be an integer between 0 and"),
    (["--batch-size", "0"], "batch_size must be a positive integer"),
    (["--strategy", "bald", "--classifier", "tfidf"], "--classifier finetune"),
    (["--strategy", "batch_bald", "--classifier", "embedding"], "--classifier finetune"),
    (["--model", "/no/such/checkpoint", "--classifier", "embedding"], "does not exist"),
    (["--model", "/no/such/checkpoint", "--classifier", "tfidf"], "not by 'tfidf'"),
])
def test_bad_settings_are_refused_before_anything_is_written(tmp_path, pool, capsys, extra, message):
    session = tmp_path / "s"
    assert _label(session, pool, "--labels", "pos,neg", *extra) == 2
    assert message in capsys.readouterr().err
    assert not session.exists()


def test_bad_settings_of_an_existing_session_change_nothing(tmp_path, pool, capsys):
    session = tmp_path / "s"
    assert _label(session, pool, "--labels", "pos,neg", "--classifier", "tfidf") == 0
    before = (session / CONFIG_FILE).read_bytes()
    assert _label(session, pool, "--strategy", "bald") == 2
    assert _label(session, pool, "--batch-size", "0") == 2
    assert "--classifier finetune" in capsys.readouterr().err
    assert (session / CONFIG_FILE).read_bytes() == before
    with pytest.raises(ValueError, match="finetune"):  # the combination, whichever side changes
        LabellingSession.open(session).configure(strategy="bald")


def test_header_only_pool_is_an_error(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("text\n")
    assert _label(tmp_path / "s", empty, "--labels", "pos,neg") == 2
    assert "holds no row with a text" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_test_size_above_one_must_be_a_row_count(capsys):
    from skal.cli.simulate import run_comparison

    with pytest.raises(ValueError, match="--test-size must be a share between 0 and 1"):
        run_comparison(TEXTS, [_truth(t) for t in TEXTS], classifier="tfidf", test_size=1.5, budget=10, n_initial=4)


def test_labels_holding_commas(tmp_path, pool):
    assert _label(tmp_path / "a", pool, "--labels", '"good, really",bad', "--classifier", "tfidf") == 0
    assert LabellingSession.open(tmp_path / "a").label_set == ("good, really", "bad")
    assert _label(tmp_path / "b", pool, "--label", "good, really", "--label", "bad",
                  "--classifier", "tfidf") == 0
    assert LabellingSession.open(tmp_path / "b").label_set == ("good, really", "bad")
    assert _label(tmp_path / "c", pool, "--labels", "a,b", "--label", "c") == 2


class _RacingInput(io.StringIO):
    """Answers "1" to every prompt, but before the first answer another process labels the shown row."""

    def __init__(self, other, terminal_output):
        super().__init__()
        self.other, self.out, self.answers = other, terminal_output, ["1\n", "1\n", "q\n"]

    def readline(self):
        if len(self.answers) == 3:
            shown = self.out.getvalue().rsplit("id ", 1)[1].split(" ", 1)[0]
            self.other.record(shown, "neg", annotator="bob")
        return self.answers.pop(0)


def test_a_row_labelled_elsewhere_is_reported_and_the_next_one_shown(tmp_path, pool):
    session = LabellingSession.create(tmp_path / "s", data=pool, labels="pos,neg", id_column="key",
                                      classifier="tfidf", batch_size=50)
    other = LabellingSession.open(tmp_path / "s")
    out = io.StringIO()
    result = label_in_terminal(session, stdin=_RacingInput(other, out), stdout=out, annotator="ann")
    text = out.getvalue()
    assert "was labelled elsewhere meanwhile ('neg' by bob); your answer was not recorded" in text
    assert result["ended"] == "quit" and result["labelled"] == 2  # bob's label and ann's next one
    annotators = LabellingSession.open(tmp_path / "s").labelled_frame(details=True)["annotator"].tolist()
    assert annotators == ["bob", "ann"]
    first = next(iter(session.labels))
    with pytest.raises(AlreadyLabelledError, match="labelled already"):
        session.record(first, "pos")
    with pytest.raises(AlreadyLabelledError):
        session.skip(first)


def test_unwritable_log_gives_a_clear_message_and_loses_nothing(tmp_path, pool, capsys, monkeypatch):
    session = tmp_path / "s"
    assert _label(session, pool, "--labels", "pos,neg", "--classifier", "tfidf", stdin="1\nq\n") == 0
    saved = LabellingSession.open(session).labels

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(session / "labels.jsonl"))

    monkeypatch.setattr(os, "fsync", full)
    assert _label(session, pool, stdin="1\n1\nq\n") == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Nothing was lost" in err and "Traceback" not in err
    monkeypatch.undo()
    assert LabellingSession.open(session).labels == saved


def test_queue_refresh_survives_an_unwritable_cache(tmp_path, pool, monkeypatch):
    session = LabellingSession.create(tmp_path / "s", data=pool, labels="pos,neg", classifier="tfidf",
                                      batch_size=2)
    for _ in range(4):
        item = session.next_item()
        session.record(item.id, _truth(item.text))
    session.retrain()
    for row in session.learner and LearnerCache(session.directory / "learner.joblib").load()["queue"]:
        session.skip(row)  # use up the queue: next_item must pick (and try to save) a new one

    def read_only(self, state):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self.path))

    monkeypatch.setattr(LearnerCache, "save", read_only)
    with pytest.warns(RuntimeWarning, match="Could not save the new queue"):
        item = session.next_item()
    assert item is not None and item.id not in session.labels


def test_blanked_and_edited_texts_are_named(tmp_path, pool):
    session = LabellingSession.create(tmp_path / "s", data=pool, labels="pos,neg", id_column="key",
                                      classifier="tfidf", batch_size=2)
    for row, label in (("r0", "pos"), ("r1", "pos"), ("r4", "neg"), ("r5", "neg")):
        session.record(row, label)
    frame = pd.read_csv(pool)
    frame.loc[frame.key == "r1", "text"] = ""
    frame.loc[frame.key == "r4", "text"] = "an edited text"
    frame.to_csv(pool, index=False)
    with pytest.warns(RuntimeWarning) as caught:
        reopened = LabellingSession.open(tmp_path / "s")
        assert reopened.status()["labelled"] == 3
        reopened.retrain()  # the blank row is left out of training instead of failing it
    messages = " ".join(str(w.message) for w in caught)
    assert "have no text" in messages and "'r1'" in messages
    assert "changed in" in messages and "'r4'" in messages
    assert "'r0'" not in messages


def test_a_moved_pool_is_repointed_with_data(tmp_path, pool, capsys):
    session = tmp_path / "s"
    assert _label(session, pool, "--labels", "pos,neg", "--classifier", "tfidf", stdin="1\n2\nq\n") == 0
    labels = LabellingSession.open(session).labels
    moved = tmp_path / "elsewhere" / "pool.csv"
    moved.parent.mkdir()
    shutil.move(pool, moved)
    assert _run("label", "--session", session, stdin="q\n") == 2
    assert "give its new place with --data" in capsys.readouterr().err
    other = tmp_path / "other.csv"
    pd.DataFrame({"text": ["something else"] * 3}).to_csv(other, index=False)
    assert _run("label", "--session", session, "--data", other, stdin="q\n") == 2
    assert "changed since this session started" in capsys.readouterr().err
    assert _run("label", "--session", session, "--data", moved, stdin="q\n") == 0
    reopened = LabellingSession.open(session)
    assert reopened.config["data"] == str(moved.resolve()) and reopened.labels == labels
