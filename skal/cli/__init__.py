"""The ``skal`` command line: one sub-command module per workflow.

Each sub-command module exposes ``register(subparsers)``, which adds its
parsers and sets ``func`` (called with the parsed arguments, returning an exit
code) as a default.
"""

import argparse
import importlib
import sys

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = ("skal.cli.simulate", "skal.cli.labelling")


def build_parser():
    """The argument parser with every available sub-command.

    Returns
    -------
    argparse.ArgumentParser
        The ``skal`` parser; a sub-command module that cannot be imported
        (its optional dependencies missing) is left out.

    Examples
    --------
    >>> from skal.cli import build_parser
    >>> build_parser().parse_args(["status", "--session", "s"]).command
    'status'
    """
    parser = argparse.ArgumentParser(
        prog="skal", description="scikit-learn-native active learning for text classifiers."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv=None):
    """Entry point of the ``skal`` console script; returns the exit code.

    A ValueError, a missing file or an unreadable folder is printed as one
    ``skal COMMAND: error: ...`` line on stderr (exit code 2), never as a
    traceback.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: 0 on success, 2 for bad input.

    Examples
    --------
    >>> import contextlib, io
    >>> from skal.cli import main
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = main(["status", "--session", "no/such/session"])
    >>> code, err.getvalue().startswith("skal status: error: ")
    (2, True)
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except (ValueError, FileNotFoundError) as exc:
        print(f"skal {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # read-only folder, full disk: what was confirmed before is on disk
        print(f"skal {args.command}: error: could not access {exc.filename or 'a file'}: "
              f"{exc.strerror or exc}. Nothing was lost: every answer confirmed before this is saved; "
              "free space or fix the permissions, then run the same command again.", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
