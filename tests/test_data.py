"""Row helpers over arrays, sparse matrices, lists and pandas objects."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from skal.data import check_consistent_rows, check_no_nan, check_pool, concat_rows, n_rows, take_rows


@pytest.mark.parametrize("X", [
    np.arange(12.).reshape(6, 2),
    sp.csr_matrix(np.arange(12.).reshape(6, 2)),
    [f"text {i}" for i in range(6)],
    pd.DataFrame({"a": range(6), "b": range(6)}, index=list("uvwxyz")),
    pd.Series([f"t{i}" for i in range(6)], index=range(10, 16)),
])
def test_take_and_concat_keep_the_container(X):
    picked = take_rows(X, [4, 1])
    assert type(picked) is type(X) and n_rows(picked) == 2
    both = concat_rows(picked, take_rows(X, [0]))
    assert type(both) is type(X) and n_rows(both) == 3
    assert concat_rows(None, picked) is picked
    if isinstance(X, (pd.DataFrame, pd.Series)):
        assert list(picked.index) == [X.index[4], X.index[1]]


def test_concat_frame_with_array_keeps_columns():
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    both = concat_rows(frame, np.array([[3.0, 4.0]]))
    assert list(both.columns) == ["a", "b"] and both.shape == (2, 2)


def test_checks():
    assert check_pool(np.zeros((3, 1)), 3) == 3
    with pytest.raises(ValueError, match="None"):
        check_pool(None, 1)
    with pytest.raises(ValueError, match="integer"):
        check_pool(np.zeros((3, 1)), 1.5)
    with pytest.raises(ValueError, match="X has 2 rows, y has 3"):
        check_consistent_rows(np.zeros((2, 1)), [0, 1, 2])
    with pytest.raises(ValueError, match="NaN"):
        check_no_nan(pd.DataFrame({"a": [1.0, np.nan]}), LogisticRegression())
    with pytest.raises(ValueError, match="NaN"):
        check_no_nan(sp.csr_matrix([[np.nan, 1.0]]), LogisticRegression())
    check_no_nan(np.array([[np.nan]]), HistGradientBoostingClassifier())  # it takes NaN
    check_no_nan(["text with nan"], LogisticRegression())  # not numeric: the estimator decides
