"""Small labelled text sets shipped with skal (see README.md in this folder)."""

from importlib import resources

import pandas as pd

__all__ = ["load_movie_reviews"]


def load_movie_reviews():
    """Movie-review sentence polarity (Pang & Lee, 2005): 10,662 rows, columns text and label.

    Examples
    --------
    >>> from skal.datasets import load_movie_reviews
    >>> load_movie_reviews().shape
    (10662, 2)
    """
    with resources.files(__name__).joinpath("mr.csv.gz").open("rb") as handle:
        return pd.read_csv(handle, compression="gzip")
