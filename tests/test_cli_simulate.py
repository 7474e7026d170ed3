"""The skal simulate / demo command line on tiny CSVs (TF-IDF preset: no BERT)."""

import json

import pandas as pd
import pytest

from skal.cli import main
from skal.cli.simulate import read_labelled_csv, strategy_by_name, strategy_names
from skal.strategies import coreset_sampling, entropy_sampling

POS = ["great fun", "a lovely film", "wonderful acting", "brilliant story", "so moving", "pure joy",
       "a superb cast", "funny and warm", "a real gem", "beautiful work"]
NEG = ["dull and slow", "an awful mess", "boring plot", "terrible acting", "a waste", "so tedious",
       "clumsy writing", "flat and lifeless", "a dreadful bore", "painful to watch"]


pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.fixture
def csv_file(tmp_path):
    frame = pd.DataFrame({"sentence": (POS + NEG) * 3, "sentiment": (["pos"] * 10 + ["neg"] * 10) * 3})
    path = tmp_path / "tiny.csv"
    frame.to_csv(path, index=False)
    return path


def _run(args):
    return main([str(a) for a in args])


def test_simulate_writes_tables_and_plot(csv_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = _run(["simulate", "--data", csv_file, "--text-column", "sentence", "--label-column", "sentiment",
                 "--strategy", "random", "entropy", "coreset", "--budget", 20, "--seeds", 2, "--batch-size", 4,
                 "--n-initial", 4, "--test-size", 0.3, "--classifier", "tfidf", "--out", out, "--quiet"])
    assert code == 0
    captured = capsys.readouterr()
    assert "verdict:" in captured.out and f"plot: {out / 'learning_curves.png'}" in captured.out
    assert "simulations" not in captured.err  # --quiet: no progress bar
    table = pd.read_csv(out / "results.csv")
    assert table["strategy"].tolist() == ["random", "entropy", "coreset"]
    assert (table["labels_used"] == 20).all()
    results = json.loads((out / "results.json").read_text())
    assert [row["strategy"] for row in results["summary"]] == ["random", "entropy", "coreset"]
    assert results["settings"]["budget"] == 20 and results["verdict"] in captured.out
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["seed"]) == {0, 1} and curves["n_labelled"].max() == 20
    assert (out / "learning_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # paired statistics, and every run's rows (positions in the CSV's labelled rows) for a replay
    assert "sample sd, ddof=1" in captured.out and "95% t interval" in captured.out
    runs = json.loads((out / "runs.json").read_text())
    assert len(runs["runs"]) == 6 and len(runs["test_rows"]) == 18
    first = runs["runs"][0]
    assert len(first["initial"]) + sum(map(len, first["queried"])) == 20
    assert not set(first["initial"]) & set(runs["test_rows"])


def test_progress_bar_by_default(csv_file, tmp_path, capsys):
    assert _run(["simulate", "--data", csv_file, "--text-column", "sentence", "--label-column", "sentiment",
                 "--budget", 12, "--seeds", 1, "--batch-size", 4, "--n-initial", 4, "--classifier", "tfidf",
                 "--out", tmp_path]) == 0
    assert "simulations" in capsys.readouterr().err


@pytest.mark.parametrize("content, args, message", [
    (None, [], "No such data file"),
    ('text,label\n"unclosed,1\n', [], "Could not read"),
    ("text,label\na,1,extra,fields\nb,0\n", [], "Could not read"),
    (b"\xff\xfe\x00\x81garbage\x00", [], "Could not read"),
    ("", [], "is empty"),
    ("text,label\n", [], "holds no rows with both a text and a label"),
    ("text,label\n ,1\nhello,\n", [], "holds no rows with both a text and a label"),
    ("words,label\nhello,1\nbye,0\n", [], "no column 'text'; its columns are 'words', 'label'"),
    ("words,tag\nhello,1\nbye,0\n", [], "no column 'text', 'label'"),
    ("text,label\nhello,1\nbye,1\n", [], "holds one class only (1)"),
    ("text,label\nhello,1\nbye,0\n", ["--strategy", "psychic"], "Unknown strategy 'psychic'; choose from: "),
    ("text,label\nhello,1\nbye,0\n", ["--strategy", "vote_entropy"], "Unknown strategy 'vote_entropy'"),
    ("text,label\nhello,1\nbye,0\n", ["--budget", 10, "--n-initial", 10], "must exceed --n-initial"),
    ("text,label\nhello,1\nbye,0\n", ["--seeds", 0], "--seeds must be at least 1"),
    ("text,label\nhello,1\nbye,0\n", ["--scoring", "nope"], "'nope' is not a valid scoring value"),
    ("text,label\n" + "hello,1\nbye,0\n" * 10, ["--budget", 50, "--n-initial", 4], "smaller than the 16 rows"),
    ("text,label\nhello,1\nbye,0\nhi,1\n", ["--n-initial", 1, "--budget", 2], "stratified test split"),
])
def test_simulate_bad_input(tmp_path, capsys, content, args, message):
    path = tmp_path / "data.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code = _run(["simulate", "--data", path, "--classifier", "tfidf", "--out", tmp_path / "o"] + args)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("skal simulate: error: ") and message in err
    if content is not None and message.startswith(("Could not read", "is empty", "holds", "no column")):
        assert str(path) in err
    assert not (tmp_path / "o").exists()  # nothing written


def test_unknown_classifier_is_an_argparse_error(csv_file, capsys):
    with pytest.raises(SystemExit) as exc:
        _run(["simulate", "--data", csv_file, "--classifier", "svm"])
    assert exc.value.code == 2 and "invalid choice: 'svm'" in capsys.readouterr().err


def test_strategy_names():
    assert strategy_by_name("entropy") is entropy_sampling
    assert strategy_by_name("entropy_sampling") is entropy_sampling
    assert strategy_by_name("coreset") is coreset_sampling
    names = strategy_names()
    assert {"random", "entropy", "margin", "uncertainty", "coreset"} <= set(names)
    assert "vote_entropy" not in names


def test_read_labelled_csv_drops_incomplete_rows(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label,extra\nhello,1,x\n,0,y\nbye,0,z\nmissing,,w\n")
    texts, labels = read_labelled_csv(path)
    assert texts == ["hello", "bye"] and labels.tolist() == [1, 0]


def test_demo_quick(tmp_path, capsys):
    assert _run(["demo", "--quick", "--classifier", "tfidf", "--seeds", 1, "--out", tmp_path, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "1200 movie-review sentences" in printed and "demo finished" in printed
    assert "verdict:" in printed and (tmp_path / "learning_curves.png").exists()
    table = pd.read_csv(tmp_path / "results.csv")
    assert table["strategy"].tolist() == ["random", "entropy", "margin", "coreset"]
    assert (table["labels_used"] == 100).all()


def test_bundled_movie_reviews():
    from skal.datasets import load_movie_reviews

    frame = load_movie_reviews()
    assert frame.shape == (10662, 2) and frame.columns.tolist() == ["text", "label"]
    assert frame["label"].value_counts().to_dict() == {"negative": 5331, "positive": 5331}


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "simulate" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_out_on_an_existing_file_is_a_clear_error_before_any_work(csv_file, tmp_path, capsys, where):
    taken = tmp_path / "results.csv"
    taken.write_text("mine, keep me\n")
    out = taken if where == "file" else taken / "run"
    code = _run(["simulate", "--data", csv_file, "--text-column", "sentence", "--label-column", "sentiment",
                 "--budget", 12, "--seeds", 1, "--batch-size", 4, "--n-initial", 4, "--classifier", "tfidf",
                 "--out", out, "--quiet"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("skal simulate: error: --out ") and "not a folder" in captured.err
    assert "Traceback" not in captured.err and "FileExistsError" not in captured.err
    assert "verdict" not in captured.out  # refused before the simulations ran
    assert taken.read_text() == "mine, keep me\n"


def test_dropped_rows_are_counted_and_reported(tmp_path, capsys):
    rows = [f"{text},{label}" for text, label in zip((POS + NEG) * 2, (["pos"] * 10 + ["neg"] * 10) * 2)]
    path = tmp_path / "holes.csv"
    path.write_text("text,label\n" + "\n".join(rows + ['"   ",pos', ",neg", "no label here,", '"",pos']) + "\n")
    assert _run(["simulate", "--data", path, "--budget", 12, "--seeds", 1, "--batch-size", 4, "--n-initial", 4,
                 "--classifier", "tfidf", "--out", tmp_path / "out", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert ("skal simulate: dropped 4 of 44 rows of holes.csv: 2 without a text, 1 with an empty text, "
            "1 without a label") in out
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["settings"]["pool_rows"] + results["settings"]["test_rows"] == 40


def test_nothing_dropped_says_nothing(csv_file, tmp_path, capsys):
    assert _run(["simulate", "--data", csv_file, "--text-column", "sentence", "--label-column", "sentiment",
                 "--budget", 12, "--seeds", 1, "--batch-size", 4, "--n-initial", 4, "--classifier", "tfidf",
                 "--out", tmp_path / "out", "--quiet"]) == 0
    assert "skal simulate: dropped" not in capsys.readouterr().out


# Cells pandas' default na_values would read as missing, and cells that truly are missing or blank.
AWKWARD = ["NA", "null", "None", "nan", "N/A", None, "", "   "]


def test_simulate_and_the_labelling_session_keep_the_same_rows(tmp_path, capsys):
    """One reader: "NA"/"null"/"None" are texts in both, an empty cell is missing in both, counted alike."""
    from skal.labelling import LabellingSession
    from skal.labelling.pool import Pool
    from skal.text_csv import describe_dropped

    texts = AWKWARD + (POS + NEG) * 2
    labels = (["pos", "neg"] * 4) + (["pos"] * 10 + ["neg"] * 10) * 2
    # Written from a column of pandas 3's default string dtype (None becomes an empty cell).
    frame = pd.DataFrame({"text": pd.Series(texts, dtype="str"), "label": pd.Series(labels, dtype="str")})
    path = tmp_path / "awkward.csv"
    frame.to_csv(path, index=False)
    assert path.read_text().splitlines()[6:9] == [",neg", ",pos", "   ,neg"]

    kept, kept_labels, dropped = read_labelled_csv(path, return_dropped=True)
    assert kept[:5] == ["NA", "null", "None", "nan", "N/A"] and len(kept) == len(texts) - 3
    assert dropped == {"no_text": 2, "empty_text": 1, "no_label": 0}
    assert kept_labels.tolist() == [lab for text, lab in zip(texts, labels) if text and text.strip()]

    pool = Pool(path, "text")
    assert pool.texts[pool.valid].tolist() == kept
    assert pool.dropped == {"no_text": dropped["no_text"], "empty_text": dropped["empty_text"]}
    session = LabellingSession.create(tmp_path / "s", data=path, labels="pos,neg", classifier="tfidf")
    assert session.pool_texts.tolist() == kept

    note = describe_dropped(dropped, len(texts), path.name)
    assert note == "dropped 3 of 48 rows of awkward.csv: 2 without a text, 1 with an empty text"
    assert _run(["simulate", "--data", path, "--budget", 12, "--seeds", 1, "--batch-size", 4, "--n-initial", 4,
                 "--classifier", "tfidf", "--out", tmp_path / "out", "--quiet"]) == 0
    assert f"skal simulate: {note}" in capsys.readouterr().out
    settings = json.loads((tmp_path / "out" / "results.json").read_text())["settings"]
    assert settings["pool_rows"] + settings["test_rows"] == len(kept)
    # skal label reports the rows it will never show with the same words.
    import io
    import sys

    stdin, sys.stdin = sys.stdin, io.StringIO("q\n")
    try:
        assert _run(["label", "--session", tmp_path / "s2", "--data", path, "--labels", "pos,neg",
                     "--classifier", "tfidf"]) == 0
    finally:
        sys.stdin = stdin
    assert f"skal label: {note}" in capsys.readouterr().out


def test_both_readers_raise_the_same_errors(tmp_path):
    from skal.labelling.pool import Pool

    cases = {"empty.csv": ("", "is empty"), "latin1.csv": ("text,label\ncaf\xe9,1\n".encode("latin-1"), "not UTF-8"),
             "ragged.csv": ("text,label\na,1,extra,fields\nb,0\n", "Could not read"),
             "columns.csv": ("words,label\nhello,1\n", "has no column 'text'; its columns are 'words', 'label'")}
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        for read in (read_labelled_csv, lambda p: Pool(p, "text")):
            with pytest.raises(ValueError, match=message):
                read(path)
    for read in (read_labelled_csv, lambda p: Pool(p, "text")):
        with pytest.raises(FileNotFoundError, match="No such"):
            read(tmp_path / "absent.csv")


def test_the_cli_the_session_and_the_registry_list_the_same_strategies(capsys):
    import re

    import skal.labelling
    from skal.labelling import settings
    from skal.strategies import registry

    names = registry.strategy_names()
    assert strategy_names() == skal.labelling.strategy_names() == names
    assert "vote_entropy" not in names and "vote_entropy" in registry.strategy_names(committee=True)
    for name in names:
        function = registry.STRATEGIES[name].function
        assert strategy_by_name(name) is settings.get_strategy(f"{name}_sampling") is function
    for command, marker in (("simulate", "among:"), ("label", "--multi-label); one of")):
        with pytest.raises(SystemExit):
            _run([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        listed = re.search(re.escape(marker) + r" ([a-z_, ]+)", text).group(1)
        assert [n.strip() for n in listed.split(",") if n.strip()][: len(names)] == names
    with pytest.raises(ValueError, match=re.escape(", ".join(names))):
        strategy_by_name("psychic")
