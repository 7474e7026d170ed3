"""Confident mistakes and most uncertain rows."""

import doctest

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skal.error_analysis
from skal.error_analysis import cross_val_proba, error_table
from skal.presets import make_text_classifier


def test_error_table_ranks_mistakes_and_uncertainty():
    y = np.array(["a", "a", "b", "b", "b"])
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.95, 0.05], [0.5, 0.5], [0.2, 0.8]])
    table = error_table(y, proba, ["a", "b"], ids=["r0", "r1", "r2", "r3", "r4"],
                        texts=["t0", "t1", "t2", "t3", "t4"], n=2)
    assert list(table.columns) == ["kind", "id", "text", "label", "predicted", "confidence", "p_label",
                                   "uncertainty"]
    mistakes = table[table["kind"] == "confident mistake"]
    assert mistakes["id"].tolist() == ["r2", "r1"]  # 0.95 wrong before 0.7 wrong
    assert mistakes["p_label"].tolist() == pytest.approx([0.05, 0.3])
    uncertain = table[table["kind"] == "uncertain"]
    assert uncertain["id"].tolist() == ["r3", "r1"]  # ties go to the first row
    assert uncertain["uncertainty"].tolist() == pytest.approx([0.5, 0.3])


def test_error_table_label_unknown_to_the_model():
    table = error_table(["a", "c"], [[0.6, 0.4], [0.6, 0.4]], ["a", "b"], n=5)
    mistakes = table[table["kind"] == "confident mistake"]
    assert mistakes["id"].tolist() == [1] and mistakes["p_label"].tolist() == [0.0]


def test_error_table_no_mistakes():
    table = error_table(["a", "b"], [[0.9, 0.1], [0.2, 0.8]], ["a", "b"], n=3)
    assert table["kind"].tolist() == ["uncertain", "uncertain"]


@pytest.mark.parametrize("args, message", [
    ((["a"], [[0.5, 0.5]], ["a", "b", "c"]), "proba must have shape"),
    ((["a", "b"], [[0.5, 0.5]], ["a", "b"]), "mismatched lengths"),
])
def test_error_table_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        error_table(*args)
    with pytest.raises(ValueError, match="The 'n' parameter must be an int"):
        error_table(["a"], [[1.0, 0.0]], ["a", "b"], n=0)


def test_cross_val_proba_is_out_of_fold(review_phrases):
    texts, labels = review_phrases
    # A row's own label never leaks: a 1-nearest-neighbour-like model on duplicated
    # texts would be perfect in-sample; out of fold it still has to generalise.
    proba, classes = cross_val_proba(make_text_classifier("tfidf", random_state=0), np.array(texts),
                                     np.array(labels), cv=3, random_state=0)
    assert proba.shape == (60, 2) and classes.tolist() == ["neg", "pos"]
    assert np.allclose(proba.sum(axis=1), 1)
    in_sample = make_text_classifier("tfidf", random_state=0).fit(texts, labels).predict_proba(texts)
    assert not np.allclose(proba, in_sample)


@pytest.mark.parametrize("y, cv, message", [
    (["a", "a", "a"], 2, "at least two classes"),
    (["a", "a", "b"], 2, "'b'\\] has only one"),
    (["a", "b", "a", "b"], 1, "The 'cv' parameter must be an int in the range \\[2"),
])
def test_cross_val_proba_bad_input(y, cv, message):
    X = np.arange(len(y), dtype=float).reshape(-1, 1)
    with pytest.raises(ValueError, match=message):
        cross_val_proba(LogisticRegression(), X, y, cv=cv)


def test_cross_val_proba_folds_shrink_to_the_smallest_class():
    X = np.arange(5, dtype=float).reshape(-1, 1)
    proba, _ = cross_val_proba(LogisticRegression(), X, ["a", "a", "a", "b", "b"], cv=5, random_state=0)
    assert proba.shape == (5, 2)


def test_docstring_examples():
    result = doctest.testmod(skal.error_analysis, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
