"""``skal label``, ``skal query``, ``skal teach`` and ``skal errors``: labelling by a person."""

import json
from pathlib import Path

import pandas as pd

from ..error_analysis import error_table
from ..interchange import from_label_studio, to_label_studio
from ..labelling import LabellingSession
from ..labelling_terminal import run_terminal
from ..presets import PRESETS
from .simulate import read_labelled_csv

__all__ = ["register"]


def _label(args):
    session = LabellingSession.create(
        args.session, args.data, text_column=args.text_column, labels=args.labels.split(","),
        strategy=args.strategy, batch_size=args.batch_size, classifier=args.classifier,
        id_column=args.id_column, random_state=args.random_state,
    )
    evaluation = None
    if args.eval:
        evaluation = read_labelled_csv(args.eval, args.text_column, args.eval_label_column)
    run_terminal(session, evaluation=evaluation)
    return 0


def _query(args):
    session = LabellingSession.open(args.session)
    batch = session.query_batch(args.n, include_skipped=True)
    out = Path(args.out)
    if args.format == "label-studio" or out.suffix == ".json":
        out.write_text(json.dumps(to_label_studio(batch), indent=2))
    else:
        batch.to_csv(out, index=False)
    print(f"wrote {len(batch)} rows to {out}")
    return 0


def _teach(args):
    session = LabellingSession.open(args.session)
    path = Path(args.labels)
    if not path.is_file():
        raise FileNotFoundError(f"No such labels file: {path}")
    if path.suffix == ".json":
        frame = from_label_studio(path)
    else:
        try:
            frame = pd.read_csv(path, dtype=str)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
    unlabelled = frame[frame["label"].isna()] if "label" in frame else frame.iloc[:0]
    report = session.teach_batch(frame.dropna(subset=[c for c in ("label",) if c in frame]))
    print(f"accepted {len(report['accepted'])} labels")
    problems = 0
    for key, title in [("unknown_ids", "unknown ids"), ("unknown_labels", "unknown labels"),
                       ("conflicts", "conflicting labels (not taken)"),
                       ("duplicates", "repeated in the file with the same label (taken once)"),
                       ("already_labelled", "already labelled the same way (not logged again)")]:
        if report[key]:
            print(f"{title}: {report[key]}")
            problems += key in ("unknown_ids", "unknown_labels", "conflicts")
    if len(unlabelled):
        print(f"rows without a label (not taken): {unlabelled['id'].tolist()}")
    if session.learner() is not None:
        session.retrain()
    return 1 if problems and not args.allow_partial else 0


def _errors(args):
    session = LabellingSession.open(args.session)
    learner = session.learner()
    if learner is None:
        raise ValueError("The session has no model yet: label rows of at least two classes first.")
    if args.data:
        texts, labels = read_labelled_csv(args.data, args.text_column, args.label_column)
        table = error_table(learner, texts, labels, top=args.top)
    else:
        table = error_table(learner, None, top=args.top)
    with pd.option_context("display.width", 140, "display.max_colwidth", 70, "display.precision", 3):
        print(table.to_string(index=False))
    out = Path(args.out) if args.out else Path(args.session) / "errors.csv"
    table.to_csv(out, index=False)
    print(f"wrote {out}")
    return 0


def register(subparsers):
    label = subparsers.add_parser("label", help="label interactively at the terminal")
    label.add_argument("--data", required=True, help="CSV file of texts to label")
    label.add_argument("--text-column", default="text")
    label.add_argument("--id-column", default=None, help="stable row ids (default: row position)")
    label.add_argument("--labels", required=True, help="comma-separated label names, e.g. pos,neg")
    label.add_argument("--session", required=True, help="folder holding the session (resumed if it exists)")
    label.add_argument("--strategy", default="uncertainty")
    label.add_argument("--batch-size", type=int, default=10, help="retrain every this many labels")
    label.add_argument("--classifier", "--model", choices=PRESETS, default="embedding")
    label.add_argument("--eval", default=None, help="held-out labelled CSV whose accuracy is shown")
    label.add_argument("--eval-label-column", default="label")
    label.add_argument("--random-state", type=int, default=0)
    label.set_defaults(func=_label)

    query = subparsers.add_parser("query", help="write the next batch to label in an external tool")
    query.add_argument("--session", required=True)
    query.add_argument("-n", type=int, default=50)
    query.add_argument("--out", required=True, help="batch.csv, or tasks.json for Label Studio")
    query.add_argument("--format", choices=["csv", "label-studio"], default="csv")
    query.set_defaults(func=_query)

    teach = subparsers.add_parser("teach", help="take labels back (CSV with id,label or a Label Studio export)")
    teach.add_argument("--session", required=True)
    teach.add_argument("--labels", required=True)
    teach.add_argument("--allow-partial", action="store_true", help="exit 0 even if some rows were rejected")
    teach.set_defaults(func=_teach)

    errors = subparsers.add_parser("errors", help="confident mistakes and uncertain examples")
    errors.add_argument("--session", required=True)
    errors.add_argument("--data", default=None, help="held-out labelled CSV (default: cross-validation)")
    errors.add_argument("--text-column", default="text")
    errors.add_argument("--label-column", default="label")
    errors.add_argument("--top", type=int, default=10)
    errors.add_argument("--out", default=None)
    errors.set_defaults(func=_errors)
