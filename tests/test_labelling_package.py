"""The labelling package's session API beyond the terminal: corrections, annotators, exclusion, export."""

import json

import pandas as pd
import pytest

from skal.interchange import read_label_studio_annotations
from skal.labelling import LabellingSession
from skal.labelling.export import disagreements_frame, export_labels, history_frame
from skal.labelling.leases import Leases

TEXTS = [f"a {w} film" for w in ("wonderful", "moving", "dull", "boring", "superb", "awful", "fine", "poor")]


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(path, index=False)
    return LabellingSession.create(tmp_path / "s", data=path, labels="pos,neg", classifier="tfidf", batch_size=2)


def _log(session):
    return [json.loads(line) for line in (session.directory / "labels.jsonl").read_text().splitlines()]


def test_every_name_of_the_old_module_is_still_there():
    from skal import labelling

    for name in ("LabellingSession", "Item", "TeachReport", "label_in_terminal", "strategy_names",
                 "read_csv_columns", "CONFIG_FILE", "LOG_FILE", "STATE_FILE"):
        assert hasattr(labelling, name)


def test_correct_is_an_event_and_undo_takes_it_back(session):
    session.record("1", "pos", annotator="ann")
    assert session.correct("1", "neg", annotator="bob") is True
    assert session.correct("1", "neg", annotator="bob") is False  # same label: nothing written
    assert session.labels == {"1": "neg"} and len(_log(session)) == 2
    assert _log(session)[-1] == {**_log(session)[-1], "event": "label", "corrects": "pos", "annotator": "bob"}
    with pytest.raises(ValueError, match="no label to correct"):
        session.correct("2", "pos")
    with pytest.raises(ValueError, match="Unknown label"):
        session.correct("1", "meh")
    assert session.undo() == "1" and session.labels == {"1": "pos"}
    assert LabellingSession.open(session.directory).labels == {"1": "pos"}


def test_undo_of_one_annotator_leaves_the_others(session):
    session.record("1", "pos", annotator="ann")
    session.record("2", "neg", annotator="bob")
    assert session.undo(annotator="ann") == "1"
    assert session.labels == {"2": "neg"}
    assert session.undo(annotator="ann") is None
    assert LabellingSession.open(session.directory).labels == {"2": "neg"}  # replays the out-of-order undo
    session.record("3", "pos", annotator="ann")
    session.correct("3", "neg", annotator="bob")
    with pytest.raises(ValueError, match="changed since by bob"):
        session.undo(annotator="ann")
    assert session.labels == {"2": "neg", "3": "neg"}


def test_next_item_excludes_leased_rows(session):
    first = session.next_item()
    others = {session.next_item(exclude={first.id}).id for _ in range(2)}
    assert first.id not in others
    everything = {str(i) for i in range(len(TEXTS))}
    assert session.next_item(exclude=everything) is None


def test_next_item_excludes_rows_of_the_model_queue(session):
    for row, label in [("0", "pos"), ("2", "neg"), ("1", "pos"), ("3", "neg")]:
        session.record(row, label)
    session.retrain()
    queued = session.next_item()
    assert queued.guess is not None
    other = session.next_item(exclude={queued.id})
    assert other.id != queued.id and session.next_item().id == queued.id  # the queue keeps the leased row


def test_labelled_frame_details_history_and_disagreements(session):
    session.record("1", "pos", annotator="ann")
    session.record("2", "neg", annotator="ann")
    session.correct("2", "pos", annotator="bob")
    session.skip("3", annotator="bob")
    frame = session.labelled_frame(details=True)
    assert frame[["id", "label", "annotator", "corrected"]].to_dict("records") == [
        {"id": "1", "label": "pos", "annotator": "ann", "corrected": 0},
        {"id": "2", "label": "pos", "annotator": "bob", "corrected": 1}]
    history = history_frame(session)
    assert history["event"].tolist() == ["label", "label", "label", "skip"]
    assert history["in_effect"].tolist() == [True, False, True, False]
    assert disagreements_frame(session)[["id", "labels"]].to_dict("records") == [
        {"id": "2", "labels": "ann=neg; bob=pos"}]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "label-studio"])
def test_export_formats_hold_the_replayed_labels(session, tmp_path, fmt):
    session.record("1", "pos", annotator="ann")
    session.record("2", "neg", annotator="ann")
    session.undo()
    session.record("4", "pos", annotator="bob")
    session.correct("4", "neg", annotator="ann")
    path = export_labels(session, tmp_path / "out" / "labels.x", format=fmt)
    if fmt == "csv":
        got = pd.read_csv(path, dtype=str)[["id", "label", "annotator"]].to_dict("records")
    elif fmt == "jsonl":
        got = [{k: r[k] for k in ("id", "label", "annotator")} for r in map(json.loads, path.read_text().splitlines())]
    else:  # Label Studio's own JSON export shape, read back by skal teach's reader
        tasks = json.loads(path.read_text())
        got = read_label_studio_annotations(tasks)[["id", "label"]].to_dict("records")
        got = [{**g, "annotator": t["annotations"][0]["completed_by"]} for g, t in zip(got, tasks)]
    assert got == [{"id": "1", "label": "pos", "annotator": "ann"}, {"id": "4", "label": "neg", "annotator": "ann"}]
    with pytest.raises(ValueError, match="'format' parameter must be one of"):
        export_labels(session, format="xml")


def test_export_default_never_overwrites_the_log(session):
    session.record("1", "pos")
    path = export_labels(session, format="jsonl")
    assert path.name != "labels.jsonl" and len(_log(session)) == 1


def test_leases_expire_and_one_per_annotator():
    now = [0.0]
    leases = Leases(ttl=10, clock=lambda: now[0])
    leases.grant("1", "ann")
    leases.grant("2", "ann")  # replaces ann's earlier lease
    leases.grant("3", "bob")
    assert leases.held_by_others("ann") == {"3"} and leases.held_by_others("bob") == {"2"}
    now[0] = 11
    assert leases.count() == 0 and leases.of("ann") is None


def test_prepare_embeds_the_pool_once_with_progress(tmp_path, tiny_bert_path):
    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(path, index=False)
    session = LabellingSession.create(tmp_path / "s", data=path, labels="pos,neg", model=tiny_bert_path)
    seen = []
    assert session.prepare(progress=lambda done, total: seen.append((done, total)), chunk_size=3) == len(TEXTS)
    assert seen == [(3, 8), (6, 8), (8, 8)]
    assert any((session.directory / "embeddings").rglob("*.npz"))


def test_terminal_undo_takes_back_only_its_own_answer(session):
    import io

    from skal.labelling import label_in_terminal

    first = session.next_item()
    session.record(first.id, "pos", annotator="web-user")
    out = io.StringIO()
    label_in_terminal(session, stdin=io.StringIO("1\nu\nu\nq\n"), stdout=out, annotator="me")
    assert "undone: id" in out.getvalue() and "nothing to undo." in out.getvalue()
    assert session.labels == {first.id: "pos"}  # the other person's label stays


def test_first_retrain_embeds_the_pool_with_progress(tmp_path, tiny_bert_path):
    import io

    from skal.labelling import label_in_terminal
    from skal.labelling.training import BackgroundTrainer

    path = tmp_path / "pool.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(path, index=False)
    web = LabellingSession.create(tmp_path / "web", data=path, labels="pos,neg", model=tiny_bert_path,
                                  batch_size=4)
    for row, label in [("0", "pos"), ("2", "neg"), ("1", "pos"), ("3", "neg")]:
        web.record(row, label)
    trainer = BackgroundTrainer(web.directory, cv=2)
    trainer.poke(web).join(120)
    assert trainer.progress["error"] is None
    assert trainer.progress["done"] == trainer.progress["total"] == len(TEXTS)  # the page's progress line
    assert LabellingSession.open(web.directory).status()["model_labels"] == 4
    terminal = LabellingSession.create(tmp_path / "term", data=path, labels="pos,neg", model=tiny_bert_path,
                                       batch_size=2)
    out = io.StringIO()
    label_in_terminal(terminal, stdin=io.StringIO("1\n2\n1\n2\nq\n"), stdout=out)
    assert "embedding the pool for the first model (8 texts)" in out.getvalue()
