"""Replacing a file so that a crash leaves either the old version or the new one.

:func:`write_atomically` writes a temporary file next to the target, fsyncs
it and renames it over the target; :func:`fsync_dir` makes the rename
durable. The labelling session's files, its exports, its learner cache and
:class:`~skal.TextEmbedder`'s cache shards are all written through here.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from skal.atomic_files import write_atomically
>>> path = Path(tempfile.mkdtemp()) / "config.json"
>>> write_atomically(path, lambda f: f.write(b"{}"))
>>> path.read_text()
'{}'
"""

import os
import tempfile
from pathlib import Path

__all__ = ["fsync_dir", "write_atomically"]


def fsync_dir(directory):
    """Make a rename or a new file in ``directory`` durable (POSIX; a no-op elsewhere).

    Parameters
    ----------
    directory : str or path
        The folder whose entries to fsync.

    Examples
    --------
    >>> import tempfile
    >>> from skal.atomic_files import fsync_dir
    >>> fsync_dir(tempfile.mkdtemp())
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it, rename it over ``path``.

    A crash at any point leaves either the old file or the new one, never a
    part of it; when ``write`` raises, the temporary file is removed and
    ``path`` is untouched. This is skal's one atomic-write helper.

    Parameters
    ----------
    path : str or path
        The file to replace (or create).
    write : callable
        Called with the temporary file, open for binary writing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skal.atomic_files import write_atomically
    >>> path = Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomically(path, lambda f: f.write(b"hello"))
    >>> path.read_text()
    'hello'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a new file's usual mode
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
