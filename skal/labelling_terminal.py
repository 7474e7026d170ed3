"""The interactive terminal loop of ``skal label``: plain text, driven by any input stream."""

import sys

from sklearn.metrics import accuracy_score

__all__ = ["run_terminal"]

HELP = "label by number or name · s skip · u undo · q quit"


def _score(session, learner, evaluation):
    if learner is None or evaluation is None:
        return ""
    texts, labels = evaluation
    return f" · held-out accuracy {accuracy_score(labels, learner.predict(texts)):.3f}"


def run_terminal(session, read=input, write=print, evaluation=None):
    """Label until the pool is exhausted or the person quits; returns the number of labels given.

    Parameters
    ----------
    session : LabellingSession
    read : callable(prompt) -> str, default=input
        End of input (EOFError) quits cleanly, as ``q`` does.
    write : callable(str), default=print
    evaluation : (texts, labels) or None
        Held-out labelled data whose accuracy is shown after each retraining.
    """
    labels = session.labels
    menu = "  ".join(f"[{i}] {name}" for i, name in enumerate(labels, 1))
    given = 0
    learner = session.learner()
    status = session.status()
    write(f"skal label: {status['labelled']} labelled, {status['remaining']} to go · {HELP}")
    while True:
        item = session.next_item()
        if item is None:
            write("Every row is labelled or skipped. Done.")
            return given
        guess = ("model guess: no model yet" if item["guess"] is None
                 else f"model guess: {item['guess']} ({item['confidence']:.0%})")
        write(f"\n[{item['id']}] {item['text']}\n  {guess}\n  {menu}")
        try:
            answer = read("> ").strip()
        except EOFError:
            answer = "q"
        if answer.lower() == "q":
            write(f"Saved. {session.status()['labelled']} labels in {session.directory}.")
            return given
        if answer.lower() == "s":
            session.skip(item["id"])
            continue
        if answer.lower() == "u":
            undone = session.undo()
            write("Nothing to undo." if undone is None else f"Undid row {undone}.")
            continue
        label = labels[int(answer) - 1] if answer.isdigit() and 1 <= int(answer) <= len(labels) else answer
        if label not in labels:
            write(f"Unknown answer {answer!r}: {HELP}.")
            continue
        session.record(item["id"], label)  # on disk before anything else happens
        given += 1
        status = session.status()
        counts = ", ".join(f"{k} {v}" for k, v in status["per_label"].items())
        if status["labelled"] % session.config["batch_size"] == 0:
            write(f"retraining on {status['labelled']} labels ...")
            sys.stdout.flush()
            learner = session.retrain()
        write(f"  labelled {status['labelled']} ({counts}), {status['remaining']} to go"
              f"{_score(session, learner, evaluation)}")
