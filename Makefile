# Two commands do everything on a fresh machine:
#   make demo   runs the built-in lecture example
#   make test   runs the whole test suite
# Both create .venv when missing, install chalkgrad with what it needs, and install the
# Graphviz `dot` program (Debian package `graphviz`) when it is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench system-deps clean

demo: $(STAMP) system-deps
	$(PY) -m autograd demo

# One BLAS thread per test process: on a small shared machine OpenBLAS threads otherwise wait on
# each other (the notebooks ran 3x slower). Benchmarks (`make bench`) keep numpy's default.
test: $(STAMP) system-deps
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The `dot` program renders graphs; chromium + chromedriver let the tests open the HTML
# page in a real browser. Installing them needs root (apt-get); without it we say what to run.
system-deps:
	@bash scripts/system-deps.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
