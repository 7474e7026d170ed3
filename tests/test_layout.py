"""The package's layout rules: public seams between packages, modules under 700 lines, every module in the
README's Layout section, and scikit-learn reached through its public modules only."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skal"
MAX_LINES = 700
#: The modules that wrap scikit-learn's private code that has no public equivalent, and what they may import:
#: skal/parameters.py re-exports its parameter validation, skal.data.n_rows wraps ``_num_samples``.
SKLEARN_PRIVATE_ALLOWED = {"skal/parameters.py": None, "skal/data.py": {"_num_samples"}}
#: Underscore names that scikit-learn documents as public API.
SKLEARN_DOCUMENTED = {"_safe_indexing"}


def _modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def _relative(path):
    return path.relative_to(ROOT).as_posix()


def _dotted(path):
    """``skal/strategies/uncertainty.py`` -> ``skal.strategies.uncertainty``; a package's ``__init__`` -> its name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = _modules()
PACKAGES = {_dotted(path) for path in MODULES if path.name == "__init__.py"}
DOTTED = {_dotted(path) for path in MODULES}


def _own_package(path):
    """The package a module belongs to: its folder's package (``__init__.py`` belongs to its own)."""
    return _dotted(path.parent / "__init__.py")


def _package_of(module):
    """The package of a dotted skal module name: itself when it is a package, else its parent."""
    return module if module in PACKAGES else module.rpartition(".")[0]


def _resolve(node, path):
    """The absolute module name of ``from X import ...`` in the module at ``path``."""
    if not node.level:
        return node.module
    base = _own_package(path).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path, source=None):
    """``(node, absolute module)`` of each ``from X import ...`` of the module at ``path`` (or of ``source``)."""
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            yield node, _resolve(node, path)


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _layout_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^## Layout\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert found, "README.md has no '## Layout' section"
    return found.group(1)


def test_the_layout_sees_the_package():
    assert {"skal", "skal.strategies", "skal.labelling", "skal.cli"} <= PACKAGES
    assert "skal.strategies.uncertainty" in DOTTED and len(MODULES) > 50


def test_the_resolver_reads_relative_imports():
    init = PACKAGE / "strategies" / "__init__.py"
    module = PACKAGE / "strategies" / "uncertainty.py"
    assert _resolve(ast.parse("from .selection import x").body[0], module) == "skal.strategies.selection"
    assert _resolve(ast.parse("from ..data import x").body[0], module) == "skal.data"
    assert _resolve(ast.parse("from .. import data").body[0], module) == "skal"
    assert _resolve(ast.parse("from .selection import x").body[0], init) == "skal.strategies.selection"
    assert _package_of("skal.strategies") == "skal.strategies" and _package_of("skal.data") == "skal"


def _private_reaches(path, source=None):
    """The ``from X import _y`` of a module where X is a skal module outside the module's own package."""
    own = _own_package(path)
    reaches = []
    for node, module in _imports(path, source):
        if module is None or not (module == "skal" or module.startswith("skal.")) or _package_of(module) == own:
            continue
        reaches += [f"line {node.lineno}: from {module} import {alias.name}"
                    for alias in node.names if _private(alias.name)]
    return reaches


def test_the_private_import_check_catches_a_reach():
    source = ("from ..learners import ActiveLearner, _wrapper_tags\nfrom .selection import _tie_order\n"
              "from .. import strategies as _strategies\nfrom skal.data import (\n    n_rows,\n    _check_y,\n)\n"
              "from sklearn.utils import _safe_indexing\nfrom ..seeding import __doc__\n")
    reaches = _private_reaches(PACKAGE / "strategies" / "uncertainty.py", source)
    assert reaches == ["line 1: from skal.learners import _wrapper_tags", "line 4: from skal.data import _check_y"]
    assert _private_reaches(PACKAGE / "learners.py", "from .data import _check_y\n") == []


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_private_name_from_another_package(path):
    """``from X import _y`` only where X is a skal module of this module's own package."""
    reaches = _private_reaches(path)
    assert not reaches, (f"{_relative(path)} (package {_own_package(path)}) imports private names of other "
                         "packages; make them public in the module that owns them:\n" + "\n".join(reaches))


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_module_is_at_most_700_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_relative(path)} has {lines} lines (at most {MAX_LINES}): split it by idea"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_module_is_in_the_readme_layout(path):
    assert f"`{_relative(path)}`" in _layout_section(), (
        f"README.md's Layout section does not list `{_relative(path)}`: add a row saying what it holds")


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_scikit_learn_through_public_modules(path):
    """scikit-learn's private modules (``sklearn.utils._tags``...) only in skal/parameters.py, which wraps the
    one without a public equivalent; public ones exist for the rest (``sklearn.utils.get_tags``,
    ``sklearn.utils.metaestimators.available_if``; ``skal.data.n_rows`` for ``_num_samples``)."""
    allowed = SKLEARN_PRIVATE_ALLOWED.get(_relative(path), set())
    if allowed is None:
        return
    reaches = []
    for node, module in _imports(path):
        if module is None or not (module == "sklearn" or module.startswith("sklearn.")):
            continue
        if any(_private(part) for part in module.split(".")):
            reaches.append(f"line {node.lineno}: from {module} import ...")
        reaches += [f"line {node.lineno}: from {module} import {alias.name}" for alias in node.names
                    if _private(alias.name) and alias.name not in SKLEARN_DOCUMENTED | allowed]
    assert not reaches, f"{_relative(path)} imports private scikit-learn code:\n" + "\n".join(reaches)
