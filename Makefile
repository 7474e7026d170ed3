VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TORCH_VERSION ?= 2.13.0
# The oldest versions pyproject.toml allows, in a second virtualenv (`make test-oldest`).
VENV_OLDEST ?= .venv-oldest
PY_OLDEST := $(VENV_OLDEST)/bin/python
OLDEST_CONSTRAINTS := .ci/oldest-constraints.txt

.PHONY: setup test setup-oldest test-oldest demo clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first: a bare torch requirement would pull a multi-GB CUDA build. --no-compile: Python
	# compiles the few modules a run imports, not the thousands of files torch and transformers ship.
	$(PIP) install -q --no-compile torch==$(TORCH_VERSION)
	$(PIP) install -q --no-compile -e '.[test]'
	touch $@

setup: $(VENV)/.installed

test: setup
	$(PY) -m ruff check skal tests benchmarks
	$(PY) -m pytest -q --doctest-modules skal tests

$(VENV_OLDEST)/.installed: pyproject.toml $(OLDEST_CONSTRAINTS)
	test -x $(PY_OLDEST) || python3 -m venv $(VENV_OLDEST)
	$(PY_OLDEST) -m pip install -q --upgrade pip
	$(PY_OLDEST) -m pip install -q --no-compile torch==$(TORCH_VERSION)
	$(PY_OLDEST) -m pip install -q --no-compile -c $(OLDEST_CONSTRAINTS) -e '.[test]'
	touch $@

setup-oldest: $(VENV_OLDEST)/.installed

test-oldest: setup-oldest
	@$(PY_OLDEST) -c "import importlib.metadata as m; print('oldest dependencies:', ', '.join(f'{p} {m.version(p)}' for p in ('pandas', 'numpy', 'scipy', 'scikit-learn', 'skorch', 'transformers', 'tokenizers', 'sentence-transformers', 'torch', 'tqdm', 'joblib', 'matplotlib', 'pyarrow', 'datasets')))"
	$(PY_OLDEST) -m pytest -q --doctest-modules skal tests

demo: setup
	$(VENV)/bin/skal demo

clean:
	rm -rf $(VENV) $(VENV_OLDEST) build *.egg-info
