"""Where the benchmarks find their data: ``--data-dir``, by default ``../shared/data`` beside the repository.

The default is resolved from this file's location, not from the working
directory, so ``python benchmarks/X.py`` works from any folder; a missing file
raises an error that names the folder and the option.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"


def add_data_dir_argument(parser):
    """Add ``--data-dir`` (a folder, default :data:`DEFAULT_DATA_DIR`) to an argparse parser."""
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder holding the data sets' CSV files (default: ../shared/data beside the "
                             f"repository, here {DEFAULT_DATA_DIR})")
    return parser


def data_file(data_dir, name):
    """``data_dir / name``, or a FileNotFoundError that says to pass ``--data-dir``."""
    path = Path(data_dir).expanduser() / name
    if not path.is_file():
        raise FileNotFoundError(f"No {name} in {Path(data_dir).expanduser()}: pass --data-dir DIR, the folder "
                                f"holding {name} (see ../shared/data/README.md of the project).")
    return path

