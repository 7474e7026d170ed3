"""The skal simulate / demo command line on tiny CSVs."""

import json

import pandas as pd
import pytest

from skal.cli import main
from skal.cli.simulate import strategy_by_name
from skal.strategies import entropy_sampling

POS = ["great fun", "a lovely film", "wonderful acting", "brilliant story", "so moving", "pure joy",
       "a superb cast", "funny and warm", "a real gem", "beautiful work"]
NEG = ["dull and slow", "an awful mess", "boring plot", "terrible acting", "a waste", "so tedious",
       "clumsy writing", "flat and lifeless", "a dreadful bore", "painful to watch"]


@pytest.fixture
def csv_file(tmp_path):
    frame = pd.DataFrame({"sentence": (POS + NEG) * 3, "sentiment": (["pos"] * 10 + ["neg"] * 10) * 3})
    path = tmp_path / "tiny.csv"
    frame.to_csv(path, index=False)
    return path


def _run(args):
    return main([str(a) for a in args])


def test_simulate_writes_table_and_plot(csv_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = _run(["simulate", "--data", csv_file, "--text-column", "sentence", "--label-column", "sentiment",
                 "--strategy", "random", "entropy", "coreset", "--budget", 20, "--seeds", 2, "--batch-size", 4,
                 "--n-initial", 4, "--test-size", 0.3, "--classifier", "tfidf", "--out", out])
    assert code == 0
    printed = capsys.readouterr().out
    assert "verdict:" in printed and "learning_curves.png" in printed
    table = pd.read_csv(out / "results.csv")
    assert set(table["strategy"]) == {"random", "entropy", "coreset"}
    assert len(json.loads((out / "results.json").read_text())) == 3
    assert (out / "learning_curves.png").stat().st_size > 1000


@pytest.mark.parametrize("content, args, message", [
    (None, [], "No such data file"),
    ('text,label\n"unclosed,1\n', [], "Could not read"),
    ("", [], "Could not read"),
    ("words,label\nhello,1\nbye,0\n", [], "no column 'text'; its columns are 'words', 'label'"),
    ("text,label\nhello,1\nbye,1\n", [], "one class only"),
    ("text,label\nhello,1\nbye,0\n", ["--strategy", "psychic"], "Unknown strategy 'psychic'"),
])
def test_simulate_bad_input(tmp_path, capsys, content, args, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    code = _run(["simulate", "--data", path, "--classifier", "tfidf", "--out", tmp_path / "o"] + args)
    assert code == 2
    assert message in capsys.readouterr().err


def test_strategy_names():
    assert strategy_by_name("entropy") is entropy_sampling
    assert strategy_by_name("entropy_sampling") is entropy_sampling


def test_demo_quick(tmp_path, capsys):
    assert _run(["demo", "--quick", "--classifier", "tfidf", "--seeds", 1, "--out", tmp_path]) == 0
    printed = capsys.readouterr().out
    assert "verdict:" in printed and (tmp_path / "learning_curves.png").exists()


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "simulate" in capsys.readouterr().out
