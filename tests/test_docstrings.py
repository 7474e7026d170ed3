"""numpydoc validation of every public function, class and method of skal.

"Public" is what a module lists in ``__all__``, and the methods a public class
defines itself (not those it inherits from scikit-learn or skorch). The codes
ignored are the ones scikit-learn's own docstring test ignores, plus the
summary-style ones it does not enforce either (see ``IGNORED``); every public
function and method must have its sections, every parameter documented, and
an Examples section (which ``--doctest-modules`` runs).
"""

import importlib
import inspect
import pkgutil

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import skal  # noqa: E402

#: RT02/GL01/GL02 as in scikit-learn's test_docstrings; ES01 and SA01 (extended summary, See Also) are
#: optional; SS05/SS06/SS03/PR08/PR09/RT04/RT05 are wording and punctuation of summaries and descriptions.
IGNORED = {"RT02", "GL01", "GL02", "ES01", "SA01", "SS03", "SS05", "SS06", "PR08", "PR09", "RT04", "RT05",
           "YD01"}


def _modules():
    yield skal
    for info in pkgutil.walk_packages(skal.__path__, "skal."):
        if info.name.split(".")[-1].startswith("_") or info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def public_objects():
    """Qualified names of the public functions, classes and methods, each once, in a stable order."""
    seen = {}
    for module in _modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if obj is None or getattr(obj, "__module__", "") is None:
                continue
            home = getattr(obj, "__module__", "")
            if not home.startswith("skal") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            qualified = f"{home}.{obj.__qualname__}"
            seen.setdefault(qualified, obj)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
                        continue
                    seen.setdefault(f"{qualified}.{attr}", member)
    return sorted(seen)


def docstring_errors(qualified):
    """The numpydoc errors of one object that the project does not ignore."""
    errors = numpydoc_validate.validate(qualified)["errors"]
    module_name, _, attr = qualified.rpartition(".")
    owner = None
    try:
        owner = importlib.import_module(module_name)
    except ImportError:
        owner = importlib.import_module(module_name.rpartition(".")[0])
        owner = getattr(owner, module_name.rpartition(".")[2])
    member = inspect.getattr_static(owner, attr, None)
    kept = []
    for code, message in errors:
        if code in IGNORED:
            continue
        if isinstance(member, property) and code in ("PR01", "PR02", "GL08", "RT01", "EX01", "SS01"):
            continue  # a property is documented by one line and the class's Attributes section
        kept.append(f"{code}: {message}")
    return kept


@pytest.mark.parametrize("qualified", public_objects())
def test_docstring(qualified):
    errors = docstring_errors(qualified)
    assert not errors, f"{qualified}:\n  " + "\n  ".join(errors)
