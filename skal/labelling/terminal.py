"""The terminal front end: label one text at a time at a prompt.

It uses only the public API of :class:`~skal.labelling.LabellingSession`,
like the browser front end (:mod:`skal.labelling.web`).

Examples
--------
>>> import io
>>> from skal.labelling import label_in_terminal
>>> from skal.labelling.demo import demo_session
>>> session = demo_session(["good", "bad", "fine"])
>>> result = label_in_terminal(session, stdin=io.StringIO("1\\nq\\n"), stdout=io.StringIO())
>>> result["labelled"], result["ended"]
(1, 'quit')
"""

import getpass
import re
import sys
import textwrap
import time

import numpy as np
from tqdm import tqdm

from . import label_sets
from .errors import AlreadyLabelledError
from .settings import RESERVED_ANSWERS
from .storage import LOG_FILE

__all__ = ["default_annotator", "label_in_terminal", "progress_line", "resolve_label", "resolve_label_set"]


def default_annotator():
    """The login name, recorded as the annotator of terminal events ("unknown" when there is none).

    Returns
    -------
    str
        The name.

    Examples
    --------
    >>> from skal.labelling.terminal import default_annotator
    >>> isinstance(default_annotator(), str)
    True
    """
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def resolve_label(answer, labels):
    """A typed answer as a label name: exact name, 1-based number, or name in any case; None if none.

    Numbers are read as positions only when no label is itself a number.

    Parameters
    ----------
    answer : str
        What the person typed (stripped).
    labels : sequence of str
        The session's labels, in their order.

    Returns
    -------
    str or None
        The label meant, or None when the answer names none (or two).

    Examples
    --------
    >>> from skal.labelling.terminal import resolve_label
    >>> resolve_label("2", ["pos", "neg"]), resolve_label("POS", ["pos", "neg"]), resolve_label("x", ["a", "b"])
    ('neg', 'pos', None)
    """
    if answer in labels:
        return answer
    numbered = not any(label.isdigit() for label in labels)
    if numbered and answer.isdigit() and 1 <= int(answer) <= len(labels):
        return labels[int(answer) - 1]
    folded = [label for label in labels if label.lower() == answer.lower()]
    return folded[0] if len(folded) == 1 else None


def resolve_label_set(answer, labels):
    """A typed multi-label answer as a list of label names, None if a part is no label.

    Parts are numbers or names (as :func:`resolve_label` reads them) apart by
    spaces, commas or ``;``; ``-`` is the empty set.

    Parameters
    ----------
    answer : str
        What the person typed.
    labels : sequence of str
        The session's labels, in their order.

    Returns
    -------
    list of str or None
        The labels meant, in the session's order, or None.

    Examples
    --------
    >>> from skal.labelling.terminal import resolve_label_set
    >>> labels = ["anger", "fear", "joy"]
    >>> resolve_label_set("1 3", labels), resolve_label_set("-", labels), resolve_label_set("1 x", labels)
    (['anger', 'joy'], [], None)
    """
    if answer.strip() == label_sets.NONE:
        return []
    chosen = [resolve_label(part, labels) for part in re.split(r"[;,\s]+", answer.strip()) if part]
    return None if not chosen or None in chosen else [label for label in labels if label in chosen]


def progress_line(status):
    """One line of progress from :meth:`LabellingSession.status`.

    Parameters
    ----------
    status : dict
        What :meth:`LabellingSession.status
        <skal.labelling.LabellingSession.status>` returns (``labelled``,
        ``counts``, ``skipped``, ``left`` and ``retrain_in`` are used).

    Returns
    -------
    str
        The line, without a newline.

    Examples
    --------
    >>> from skal.labelling.terminal import progress_line
    >>> progress_line({"labelled": 1, "counts": {"a": 1, "b": 0}, "skipped": 0, "left": 4, "retrain_in": None})
    '1 labelled (a 1, b 0) | 0 skipped | 4 left'
    """
    counts = ", ".join(f"{label} {n}" for label, n in status["counts"].items())
    line = f"{status['labelled']} labelled ({counts}) | {status['skipped']} skipped | {status['left']} left"
    if status["retrain_in"] is not None:
        line += f" | retrain in {status['retrain_in']}"
    return line


def label_in_terminal(session, *, stdin=None, stdout=None, eval_set=None, width=100, annotator=None):
    """Label in a plain-text terminal loop until every row is done or the person quits.

    Each text is shown with the model's guess and confidence; answers are a
    label's number or name, ``s`` (skip), ``u`` (undo this annotator's last
    label or skip, not someone else's on a shared session) or ``q`` (quit; end of input and Ctrl-C quit too). Every answer
    is on disk before the next text appears. The model is retrained in the
    foreground when :meth:`LabellingSession.retrain_due` (a line says so,
    and how long it took); when that fails, the error is shown, labelling
    goes on with the previous model, and retraining is tried again
    ``batch_size`` labels later.

    Parameters
    ----------
    session : LabellingSession
        The session to label.
    stdin, stdout : text streams, default=sys.stdin, sys.stdout
        Answers are read a line at a time; when ``stdin`` is not a terminal
        each answer is echoed, so a piped session reads like a typed one.
    eval_set : (texts, labels), default=None
        Held-out labelled rows; their accuracy is shown after each retrain.
    width : int, default=100
        Wrap texts at this width.
    annotator : str, default=None
        Recorded with every label and skip; None is the login name.

    Returns
    -------
    dict
        :meth:`LabellingSession.status` plus ``ended``: "done", "quit" or
        "interrupted".

    Examples
    --------
    >>> import io
    >>> from skal.labelling import label_in_terminal
    >>> from skal.labelling.demo import demo_session
    >>> out = io.StringIO()
    >>> label_in_terminal(demo_session(), stdin=io.StringIO("pos\\nneg\\n"), stdout=out)["ended"]
    'done'
    >>> "every row is labelled or skipped." in out.getvalue()
    True
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    echo = not _isatty(stdin)
    annotator = default_annotator() if annotator is None else str(annotator)
    labels, c = session.label_set, session.config
    if eval_set is not None:
        eval_texts, eval_labels = (np.asarray(part, dtype=object) for part in eval_set)
        answers = [label_sets.split(v) for v in eval_labels] if session.multi_label else [[v] for v in eval_labels]
        unknown = sorted({label for answer in answers for label in answer} - set(labels))
        if unknown:
            raise ValueError(f"The held-out labels {unknown} are not among the session's labels {list(labels)}.")

    def say(line=""):
        stdout.write(line + "\n")
        stdout.flush()

    def ask(prompt):
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        if not line:
            say()
            return None
        answer = line.strip()
        if echo:
            say(answer)
        return answer

    def retrain(why):
        status = session.status()
        start = time.perf_counter()
        if status["model_labels"] == 0 and c["classifier"] == "embedding":
            why += "; the first model embeds the whole pool once (cached for later)"
            say(f"embedding the pool for the first model ({status['rows']} texts)...")
            with tqdm(total=status["rows"], unit="text", disable=None, file=sys.stderr) as bar:
                session.prepare(progress=lambda done, total: bar.update(done - bar.n))
        say(f"retraining on {status['labelled']} labels ({why})...")
        session.retrain()
        line = f"model updated in {time.perf_counter() - start:.1f}s"
        if eval_set is not None:
            metric = "micro-F1" if session.multi_label else "accuracy"
            line += f"; held-out {metric} {session.score(eval_texts, eval_labels):.3f} ({len(eval_labels)} rows)"
        say(line)

    numbered = not any(label.isdigit() for label in labels)
    choices = "  ".join(f"[{i}] {label}" if numbered else label for i, label in enumerate(labels, 1))
    prompt = f"{choices}  [s]kip  [u]ndo  [q]uit > "
    if session.multi_label:
        prompt = f"{choices}  (several: 1 3; none: {label_sets.NONE})  [s]kip  [u]ndo  [q]uit > "
    status = session.status()
    say(f"skal label: {status['rows']} texts in {c['data']}, labels {', '.join(labels)}")
    say(f"strategy {c['strategy']}, retrain every {c['batch_size']} labels, classifier {c['classifier']}; "
        f"labels are saved to {session.directory / LOG_FILE} as you go")
    if status["labelled"] or status["skipped"]:
        say(f"resuming: {progress_line(status)}")
    failed_at = None
    ended = "done"
    try:
        if session.retrain_due():
            retrain(f"the saved model lags the label log by {status['unseen']}")
        while True:
            item = session.next_item()
            if item is None:
                say("every row is labelled or skipped.")
                break
            status = session.status()
            say()
            say(f"--- {progress_line(status)} ---")
            shown = (", ".join(label_sets.split(item.guess)) or "none") if session.multi_label else item.guess
            guess = ("no model yet (random order)" if item.guess is None
                     else f"model: {shown} ({item.confidence:.2f})")
            say(f"id {item.id} | {guess}")
            say(textwrap.fill(item.text, width=width, initial_indent="  ", subsequent_indent="  "))
            answer = ask(prompt)
            if answer is None:
                ended = "quit"
                break
            if not answer:
                continue
            command = RESERVED_ANSWERS.get(answer.lower())
            if command == "quit":
                ended = "quit"
                break
            if command == "undo":
                try:
                    undone = session.undo(annotator=annotator)
                except ValueError as exc:  # someone changed that row since
                    say(str(exc))
                    continue
                say("nothing to undo." if undone is None else f"undone: id {undone}")
                continue
            resolve = resolve_label_set if session.multi_label else resolve_label
            label = None if command == "skip" else resolve(answer, labels)
            if command != "skip" and label is None:
                several = f" (several apart by spaces, {label_sets.NONE} for none)" if session.multi_label else ""
                say(f"unknown answer {answer!r}: type a label's number or name{several}, s, u or q.")
                continue
            try:
                if command == "skip":
                    session.skip(item.id, annotator=annotator)
                    continue
                session.record(item.id, label, annotator=annotator)
            except AlreadyLabelledError as exc:  # another process sharing the session got there first
                by = f" by {exc.annotator}" if exc.annotator else ""
                say(f"id {item.id} was labelled elsewhere meanwhile ({exc.label!r}{by}); your answer was not "
                    "recorded. Next text:")
                continue
            status = session.status()
            if session.retrain_due() and (failed_at is None or status["unseen"] >= failed_at + c["batch_size"]):
                try:
                    retrain(f"{status['unseen']} new")
                    failed_at = None
                except Exception as exc:  # the labels are safe; keep the person labelling
                    failed_at = status["unseen"]
                    say(f"retraining failed ({type(exc).__name__}: {exc}); every label is saved. Labelling "
                        f"goes on with the previous model; retrying after {c['batch_size']} more labels.")
    except KeyboardInterrupt:
        say()
        ended = "interrupted"
    status = session.status()
    say(f"{progress_line(status)}. Every label is saved; run the same command to resume.")
    return {**status, "ended": ended}
