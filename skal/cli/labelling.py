"""``skal label``, ``serve``, ``export``, ``status``, ``query``, ``teach`` and ``errors``: the human in the loop.

A thin layer over :mod:`skal.labelling`, :mod:`skal.interchange` and
:mod:`skal.error_analysis`.
"""

import sys
from pathlib import Path

import pandas as pd

from ..interchange import (
    label_studio_config,
    read_label_studio_annotations,
    read_labels_csv,
    write_batch_csv,
    write_label_studio_tasks,
)
from ..labelling import (
    CONFIG_FILE,
    LabellingSession,
    label_in_terminal,
    read_csv_columns,
    strategy_names,
)
from ..labelling.pool import Pool
from ..presets import PRESETS
from ..text_csv import describe_dropped

__all__ = ["register"]


def _format(path, fmt):
    if fmt != "auto":
        return fmt
    return "label-studio" if Path(path).suffix.lower() == ".json" else "csv"


def _print_table(frame, columns, text_width=60):
    frame = frame[[c for c in columns if c in frame.columns]].astype(object).fillna("")
    if "text" in frame:
        text = frame["text"].astype(str)
        frame["text"] = text.where(text.str.len() <= text_width, text.str.slice(0, text_width - 3) + "...")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 3,
                           "display.max_colwidth", text_width + 3):
        print(frame.to_string(index=False))


def _labels(args):
    """The label set of ``--labels`` (one CSV row: quote a label holding commas) and repeated ``--label``."""
    if args.labels is not None and args.label_list:
        raise ValueError("Give the labels either with --labels or with repeated --label, not both.")
    return args.label_list or args.labels


def _open_or_create(args):
    """The session of ``--session``: opened (settings given replace the stored ones) or created.

    ``--data`` on an existing session repoints it to a pool file that moved.
    """
    directory = Path(args.session)
    labels = _labels(args)
    if (directory / CONFIG_FILE).is_file():
        session = LabellingSession.open(directory, data=args.data)
        if args.multi_label and not session.multi_label:
            raise ValueError(f"{directory} is a single-label session; start a new one for multi-label labelling.")
        return session.configure(
            text_column=args.text_column, id_column=args.id_column, labels=labels,
            strategy=args.strategy, batch_size=args.batch_size, classifier=args.classifier,
            model=args.model, cache_dir=args.cache_dir)
    missing = [flag for flag, value in (("--data", args.data), ("--labels", labels)) if value is None]
    if missing:
        raise ValueError(f"{directory} holds no session yet: give {' and '.join(missing)} to start one.")
    session = LabellingSession.create(
        directory, data=args.data, text_column=args.text_column or "text", labels=labels,
        id_column=args.id_column, strategy=args.strategy, multi_label=args.multi_label,
        batch_size=10 if args.batch_size is None else args.batch_size,
        classifier=args.classifier or "embedding", model=args.model,
        cache_dir=args.cache_dir, random_state=args.random_state)
    # Rows without a text are never shown: say so as skal simulate does (one reader, one count).
    pool = Pool(session.config["data"], session.config["text_column"], session.config["id_column"])
    note = describe_dropped(pool.dropped, len(pool), Path(args.data).name)
    if note:
        print(f"skal {args.command}: {note}", flush=True)
    return session


def _eval_set(args, session):
    if args.eval_data is None:
        return None
    text_column = session.config["text_column"]
    frame = read_csv_columns(args.eval_data, [text_column, args.eval_label_column], "held-out file").dropna()
    return frame[text_column].to_numpy(), frame[args.eval_label_column].to_numpy()


def _label(args):
    session = _open_or_create(args)
    result = label_in_terminal(session, eval_set=_eval_set(args, session), annotator=args.annotator)
    return 130 if result["ended"] == "interrupted" else 0


def _query(args):
    session = LabellingSession.open(args.session)
    batch = session.query_batch(args.n, include_skipped=args.include_skipped)
    fmt = _format(args.out, args.format)
    if fmt == "label-studio":
        path = write_label_studio_tasks(batch, args.out, model_version=f"skal {session.config['strategy']}",
                                        multiple=session.multi_label)
        config = path.with_name(path.stem + ".label_config.xml")
        config.write_text(label_studio_config(session.label_set, multiple=session.multi_label) + "\n",
                          encoding="utf-8")
        print(f"wrote {len(batch)} Label Studio tasks to {path}; labelling config: {config}")
    else:
        path = write_batch_csv(batch, args.out)
        print(f"wrote {len(batch)} rows to {path}; fill in the label column "
              f"({', '.join(session.label_set)}) and run skal teach --session {args.session} --labels {path}")
    status = session.status()
    model = (f"model trained on {status['model_labels']} labels" if status["model_labels"]
             else "no model yet: random order")
    print(f"{model}; {status['left']} rows left to label")
    return 0


def _teach(args):
    session = LabellingSession.open(args.session)
    if _format(args.labels, args.format) == "label-studio":
        frame = read_label_studio_annotations(args.labels, from_name=args.from_name,
                                              multiple=session.multi_label)
        id_column, label_column = "id", "label"
    else:
        frame = read_labels_csv(args.labels, args.id_column, args.label_column)
        id_column, label_column = "id", "label"
    report = session.teach_batch(frame, id_column=id_column, label_column=label_column,
                                 overwrite=args.overwrite, allow_partial=args.allow_partial,
                                 source=f"teach:{Path(args.labels).name}")
    print(f"{args.labels}: {report.summary()}")
    if report.n_rejected:
        print("rejected rows:")
        _print_table(report.rejected, ["id", "label", "existing", "reason"])
    status = session.status()
    counts = ", ".join(f"{label} {n}" for label, n in status["counts"].items())
    print(f"session: {status['labelled']} labelled ({counts}), {status['left']} left")
    if report.n_rejected and not args.allow_partial:
        print("nothing was written: fix the rejected rows, or pass --allow-partial to take the others",
              file=sys.stderr)
        return 1
    return 0


def _errors(args):
    session = LabellingSession.open(args.session)
    if args.data is not None:
        text_column = args.text_column or session.config["text_column"]
        frame = read_csv_columns(args.data, [text_column, args.label_column, args.id_column], "labelled file")
        frame = frame.dropna(subset=[text_column, args.label_column])
        if frame.empty:
            raise ValueError(f"{args.data} holds no rows with both a text and a label.")
        ids = frame[args.id_column].to_numpy() if args.id_column else frame.index.to_numpy()
        table = session.errors(frame[text_column].to_numpy(), frame[args.label_column].to_numpy(),
                               ids=ids, n=args.n)
        where = f"held-out rows of {args.data}"
    else:
        table = session.errors(n=args.n, cv=args.cv)
        where = f"the session's {session.status()['labelled']} labels, {args.cv}-fold out-of-fold predictions"
    out = Path(args.out) if args.out else Path(args.session) / "errors.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    columns = ["id", "label", "predicted", "confidence", "text"]
    mistakes = table[table["kind"] == "confident mistake"]
    print(f"error analysis on {where}")
    print(f"\nmost confident mistakes ({len(mistakes)}):")
    if len(mistakes):
        _print_table(mistakes, columns)
    else:
        print("  none: every row is predicted right")
    print(f"\nmost uncertain rows ({int((table['kind'] == 'uncertain').sum())}):")
    _print_table(table[table["kind"] == "uncertain"], columns)
    print(f"\nwrote {out}")
    return 0


def _serve(args):
    from ..labelling.web import serve

    session = _open_or_create(args)
    try:
        serve(session.directory, host=args.host, port=args.port, token=args.token,
              eval_set=_eval_set(args, session))
    except RuntimeError as exc:  # another server holds the session
        print(f"skal serve: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _export(args):
    from ..labelling.export import disagreements_frame, export_labels

    session = LabellingSession.open(args.session)
    path = export_labels(session, args.out, format=args.format)
    status = session.status()
    print(f"wrote {status['labelled']} labels ({args.format}) to {path}")
    disagreements = disagreements_frame(session)
    if len(disagreements):
        print(f"{len(disagreements)} text(s) were labelled differently by different annotators "
              "(the label in effect is exported):")
        _print_table(disagreements, ["id", "label", "labels", "text"])
    else:
        print("no disagreements between annotators")
    return 0


def _status(args):
    from ..labelling.export import disagreements_frame
    from ..labelling.terminal import progress_line

    session = LabellingSession.open(args.session)
    status = session.status()
    c = session.config
    print(f"session {args.session}: {status['rows']} texts of {c['data']}, labels {', '.join(session.label_set)}")
    print(f"strategy {c['strategy']}, classifier {c['classifier']}, retrain every {c['batch_size']} labels; "
          f"model trained on {status['model_labels']} labels")
    print(progress_line(status))
    frame = session.labelled_frame(details=True)
    if len(frame):
        by = frame["annotator"].fillna("unknown").value_counts()
        print("annotators: " + ", ".join(f"{name} {n}" for name, n in by.items()))
        print(f"last {min(args.n, len(frame))} labels (corrections and undos applied):")
        _print_table(frame.sort_values("time", kind="stable").tail(args.n),
                     ["id", "label", "annotator", "time", "corrected", "text"])
    n = len(disagreements_frame(session))
    if n:
        print(f"{n} text(s) labelled differently by different annotators; skal export lists them")
    return 0


def _session_arguments(parser):
    parser.add_argument("--session", required=True, help="session directory (created on first use)")
    parser.add_argument("--data", help="pool CSV (needed to start a session)")
    parser.add_argument("--text-column", help="text column of the pool (default: text)")
    parser.add_argument("--id-column", help="column of unique row ids (default: the row position)")
    parser.add_argument("--labels", help='comma-separated labels, e.g. pos,neg, read as one CSV row (quote a '
                                         'label holding a comma: \'"good, really",bad\'); needed to start a session')
    parser.add_argument("--label", action="append", dest="label_list", metavar="LABEL",
                        help="one label; repeat it for each (instead of --labels)")
    parser.add_argument("--multi-label", action="store_true",
                        help="each text may get several labels or none (answer e.g. 1 3, or - for none)")
    parser.add_argument("--strategy", help=f"query strategy (default: uncertainty, mean_entropy with "
                                           f"--multi-label); one of {', '.join(strategy_names())}")
    parser.add_argument("--batch-size", type=int, help="retrain every this many labels (default: 10)")
    parser.add_argument("--classifier", choices=PRESETS,
                        help="classifier preset (default: embedding, the bundled BERT + logistic regression)")
    parser.add_argument("--model", help="Hugging Face checkpoint directory (default: the bundled BERT)")
    parser.add_argument("--cache-dir", help="embedding cache (default: SESSION/embeddings)")
    parser.add_argument("--random-state", type=int, default=0, help="seed of a new session (default: 0)")
    parser.add_argument("--eval-data", "--eval",
                        help="held-out labelled CSV: its accuracy is shown after each retrain")
    parser.add_argument("--eval-label-column", default="label", help="label column of --eval-data")


def register(subparsers):
    """Add the ``label``, ``serve``, ``export``, ``status``, ``query``, ``teach`` and ``errors`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned; each sub-command
        sets ``func``, called with the parsed arguments.

    Examples
    --------
    >>> import argparse
    >>> from skal.cli.labelling import register
    >>> parser = argparse.ArgumentParser(prog="skal")
    >>> register(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["query", "--session", "s", "--out", "batch.csv"]).n
    50
    """
    label = subparsers.add_parser(
        "label", help="label texts in the terminal, the model choosing which",
        description="Interactive labelling: shows the next text the query strategy picks, with the model's "
                    "guess; answer with a label's number or name, s (skip), u (undo) or q (quit). Every "
                    "answer is saved before the next text; the same command resumes a stopped session.")
    _session_arguments(label)
    label.add_argument("--annotator", help="name stored with every answer (default: the login name)")
    label.set_defaults(func=_label)

    serve = subparsers.add_parser(
        "serve", help="label texts in the browser (one person or a small team)",
        description="A local web page on the same session as skal label: the next text the strategy picks, "
                    "the model's suggestion, one button and key per label, skip, undo, a history to correct "
                    "earlier labels, progress and the stopping criterion. Retraining runs in the background. "
                    "Every answer is on disk before the next text shows.")
    _session_arguments(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to bind (default: 127.0.0.1; any other needs a token)")
    serve.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    serve.add_argument("--token", help="required on every request (default: none on 127.0.0.1, "
                                       "generated and printed on any other host)")
    serve.set_defaults(func=_serve)

    export = subparsers.add_parser("export", help="write the session's labels (undo and corrections applied)")
    export.add_argument("--session", required=True)
    export.add_argument("--format", choices=("csv", "jsonl", "label-studio"), default="csv")
    export.add_argument("--out", help="file to write (default: labels.csv, labels.export.jsonl or "
                                      "labels.label-studio.json in the session directory)")
    export.set_defaults(func=_export)

    status = subparsers.add_parser("status", help="progress of a session: counts, annotators, last labels")
    status.add_argument("--session", required=True)
    status.add_argument("-n", type=int, default=10, help="last labels to show (default: 10)")
    status.set_defaults(func=_status)

    query = subparsers.add_parser("query", help="write the next batch to label in another tool")
    query.add_argument("--session", required=True)
    query.add_argument("-n", type=int, default=50, help="rows in the batch (default: 50)")
    query.add_argument("--out", required=True, help="CSV file, or .json for Label Studio tasks")
    query.add_argument("--format", choices=("auto", "csv", "label-studio"), default="auto",
                       help="auto: label-studio for .json, else csv")
    query.add_argument("--include-skipped", action="store_true", help="also offer rows skipped in the terminal")
    query.set_defaults(func=_query)

    teach = subparsers.add_parser("teach", help="add labels made in another tool")
    teach.add_argument("--session", required=True)
    teach.add_argument("--labels", required=True, help="CSV with id and label columns, or a Label Studio "
                                                       "JSON export")
    teach.add_argument("--format", choices=("auto", "csv", "label-studio"), default="auto",
                       help="auto: label-studio for .json, else csv")
    teach.add_argument("--id-column", default="id")
    teach.add_argument("--label-column", default="label")
    teach.add_argument("--from-name", help="Label Studio Choices control to read (default: the only one)")
    teach.add_argument("--overwrite", action="store_true", help="replace existing labels that differ")
    teach.add_argument("--allow-partial", action="store_true",
                       help="take the valid rows even when others are rejected (exit 0)")
    teach.set_defaults(func=_teach)

    errors = subparsers.add_parser("errors", help="confident mistakes and most uncertain labelled rows")
    errors.add_argument("--session", required=True)
    errors.add_argument("--data", help="held-out labelled CSV (default: cross-validate the session's labels)")
    errors.add_argument("--text-column", help="text column of --data (default: the session's)")
    errors.add_argument("--label-column", default="label", help="label column of --data")
    errors.add_argument("--id-column", help="id column of --data (default: the row position)")
    errors.add_argument("-n", type=int, default=20, help="rows of each kind (default: 20)")
    errors.add_argument("--cv", type=int, default=5, help="folds without --data (default: 5)")
    errors.add_argument("--out", help="CSV of both tables (default: SESSION/errors.csv)")
    errors.set_defaults(func=_errors)
