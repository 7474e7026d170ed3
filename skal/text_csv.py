"""Reading the CSV files of texts that ``skal simulate``, ``skal label`` and the labelling session take.

One reader, one policy for missing values, one set of errors:

* only an **empty cell** is missing; a text ``"NA"``, ``"null"``, ``"None"``
  or ``"nan"`` is a text like any other (pandas' default ``na_values`` would
  turn those into NaN, so the file is read with ``keep_default_na=False``);
* text and id columns are read as strings, whatever they hold (``007`` stays
  ``"007"``); columns named in ``parse`` (the labels of ``skal simulate``)
  get pandas' own type inference, so ``0``/``1`` labels are numbers;
* a text that is missing (``no_text``) and one that is only whitespace
  (``empty_text``) are told apart and counted the same way everywhere
  (:func:`text_gaps`);
* a missing file raises FileNotFoundError; an empty file, a file that is not
  CSV or not UTF-8, or a missing column raise a ValueError that names the
  file (and the columns it has).

Examples
--------
>>> import tempfile, pathlib
>>> from skal.text_csv import read_csv_columns
>>> path = pathlib.Path(tempfile.mkdtemp()) / "pool.csv"
>>> _ = path.write_text("text,label\\nNA,pos\\nnull,neg\\n,neg\\n")
>>> read_csv_columns(path, ["text"])["text"].tolist()
['NA', 'null', nan]
"""

import warnings
from pathlib import Path

import pandas as pd

__all__ = ["blank", "describe_dropped", "read_csv_columns", "read_labelled_csv", "text_gaps"]

#: Why a row is left out, as :func:`describe_dropped` words it.
DROP_REASONS = {"no_text": "without a text", "empty_text": "with an empty text", "no_label": "without a label"}


def text_gaps(texts):
    """Which texts are missing (an empty cell) and which are only whitespace.

    Parameters
    ----------
    texts : array-like of str or None/NaN
        Texts as :func:`read_csv_columns` returns them.

    Returns
    -------
    no_text : ndarray of bool
        The entries that are missing (None, NaN, ``pd.NA``).
    empty_text : ndarray of bool
        The entries that are a string of whitespace only (``""`` included).

    Examples
    --------
    >>> from skal.text_csv import text_gaps
    >>> no_text, empty_text = text_gaps(["a", " ", None, "NA"])
    >>> no_text.tolist(), empty_text.tolist()
    ([False, False, True, False], [False, True, False, False])
    """
    series = pd.Series(texts, dtype=object)
    no_text = series.isna().to_numpy()
    empty_text = ~no_text & series.astype(str).str.strip().eq("").to_numpy()
    return no_text, empty_text


def blank(values):
    """Mask of missing or whitespace-only entries of a string array.

    Parameters
    ----------
    values : array-like of str or None/NaN
        Texts, ids or labels.

    Returns
    -------
    ndarray of bool
        True where the entry is missing or only whitespace.

    Examples
    --------
    >>> from skal.text_csv import blank
    >>> blank(["a", " ", None]).tolist()
    [False, True, True]
    """
    no_text, empty_text = text_gaps(values)
    return no_text | empty_text


def _read_frame(path, parse, what):
    """The whole CSV as a DataFrame, only empty cells missing; every column but ``parse`` as str."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such {what}: {path}")
    try:
        with warnings.catch_warnings():
            # More fields than the header in a row: pandas would read them as an index, or drop them.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            header = pd.read_csv(path, nrows=0, index_col=False).columns
            frame = pd.read_csv(path, index_col=False, keep_default_na=False, na_values=[""],
                                dtype={column: str for column in header if column not in parse})
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{path} is empty: expected a CSV with a header row and a row per text.") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"Could not read {path} as CSV: it is not UTF-8 text ({exc}); save it as UTF-8.") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
    return frame


def read_csv_columns(path, columns, what="data file", parse=()):
    """Read ``columns`` of a CSV, with one NA policy and errors that name the file and the columns.

    Only empty cells are missing (NaN): ``"NA"``, ``"null"`` and ``"None"``
    stay texts. Every column is read as strings except those in ``parse``,
    which pandas parses (numbers become numbers). ``None`` entries of
    ``columns`` are ignored.

    Parameters
    ----------
    path : str or path
        The CSV file, UTF-8, with a header row.
    columns : list of str or None
        The columns to return, in this order.
    what : str, default="data file"
        What the file is, for error messages.
    parse : collection of str, default=()
        Columns read with pandas' type inference instead of as strings.

    Returns
    -------
    DataFrame
        The requested columns; string columns have dtype object (str or NaN).

    Raises
    ------
    FileNotFoundError
        When ``path`` is not a file.
    ValueError
        For an empty file, a file that is not CSV or not UTF-8, or a column
        the file lacks.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skal.text_csv import read_csv_columns
    >>> path = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_text("text,label\\nNA,1\\n,0\\n")
    >>> frame = read_csv_columns(path, ["text", None, "label"], parse=["label"])
    >>> frame["text"].tolist(), frame["label"].tolist()
    (['NA', nan], [1, 0])
    """
    frame = _read_frame(path, set(parse), what)
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} has no column {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, map(str, frame.columns)))}.")
    frame = frame[wanted]
    for column in wanted:
        if column not in parse or not pd.api.types.is_numeric_dtype(frame[column].dtype):
            frame = frame.assign(**{column: frame[column].astype(object)})
    return frame


def read_labelled_csv(path, text_column="text", label_column="label", return_dropped=False):
    """Texts and labels from a CSV (:func:`read_csv_columns`), rows without both left out and counted.

    Rows missing a text (an empty cell) or a label, and rows whose text is
    only whitespace, are dropped; ``"NA"`` and ``"null"`` are texts and
    labels like any other. Labels are parsed (``0``/``1`` are numbers).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    text_column : str, default="text"
        Column of the texts.
    label_column : str, default="label"
        Column of the labels.
    return_dropped : bool, default=False
        Also return how many rows were dropped, and why.

    Returns
    -------
    texts : list of str
        The texts kept.
    labels : ndarray
        Their labels.
    dropped : dict, only when ``return_dropped=True``
        ``{"no_text": n, "empty_text": n, "no_label": n}``; a row missing both
        its text and its label counts as ``no_text``.

    Raises
    ------
    ValueError
        The errors of :func:`read_csv_columns`, and for a file with no
        complete row or with one class only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skal.text_csv import read_labelled_csv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("text,label\\nfine,1\\n  ,0\\nNA,0\\n,1\\nso so,\\n")
    >>> texts, labels, dropped = read_labelled_csv(path, return_dropped=True)
    >>> texts, dropped
    (['fine', 'NA'], {'no_text': 1, 'empty_text': 1, 'no_label': 1})
    """
    frame = read_csv_columns(path, [text_column, label_column], parse=[label_column])
    no_text, empty_text = text_gaps(frame[text_column])
    no_label = frame[label_column].isna().to_numpy() & ~no_text
    empty_text &= ~no_label
    dropped = {"no_text": int(no_text.sum()), "empty_text": int(empty_text.sum()), "no_label": int(no_label.sum())}
    frame = frame[~(no_text | no_label | empty_text)]
    if frame.empty:
        raise ValueError(f"{path} holds no rows with both a text and a label.")
    counts = frame[label_column].value_counts()
    if len(counts) < 2:
        raise ValueError(f"{path}: column {label_column!r} holds one class only "
                         f"({counts.index[0]}); active learning needs at least two.")
    labels = frame[label_column].to_numpy()
    texts = frame[text_column].astype(str).tolist()
    return (texts, labels, dropped) if return_dropped else (texts, labels)


def describe_dropped(dropped, total, name):
    """One line saying how many of ``total`` rows of ``name`` were dropped and why; "" when none were.

    Parameters
    ----------
    dropped : dict
        Counts by reason: ``no_text``, ``empty_text``, ``no_label`` (any subset).
    total : int
        Rows in the file.
    name : str
        The file, as the line names it.

    Returns
    -------
    str
        The line, or "" when no row was dropped.

    Examples
    --------
    >>> from skal.text_csv import describe_dropped
    >>> describe_dropped({"no_text": 0, "empty_text": 2, "no_label": 1}, 40, "d.csv")
    'dropped 3 of 40 rows of d.csv: 2 with an empty text, 1 without a label'
    """
    parts = [f"{dropped[key]} {words}" for key, words in DROP_REASONS.items() if dropped.get(key)]
    if not parts:
        return ""
    return f"dropped {sum(dropped.values())} of {total} rows of {name}: {', '.join(parts)}"

