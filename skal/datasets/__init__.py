"""Small labelled text sets shipped with skal (see README.md in this folder)."""

from importlib import resources

from ..text_csv import read_csv_columns

__all__ = ["load_movie_reviews"]


def load_movie_reviews():
    """Movie-review sentence polarity (Pang & Lee, 2005): 10,662 rows, columns text and label.

    Read by :func:`skal.text_csv.read_csv_columns`, as ``skal simulate``
    reads a user's file: a sentence that reads ``NA`` stays a sentence.

    Returns
    -------
    pandas.DataFrame
        ``text`` and ``label`` (``"positive"`` or ``"negative"``), as str objects.

    Examples
    --------
    >>> from skal.datasets import load_movie_reviews
    >>> load_movie_reviews().shape
    (10662, 2)
    """
    with resources.as_file(resources.files(__name__).joinpath("mr.csv.gz")) as path:
        return read_csv_columns(path, ["text", "label"], "bundled data file", parse=["label"])
