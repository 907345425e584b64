# Two commands do everything on a fresh machine:
#   make demo   runs the built-in lecture example (installs only what it needs: numpy, graphviz, dot)
#   make test   runs the whole test suite (installs the test extra: PyTorch as the oracle, Dask, MkDocs, ...)
# Both create .venv when missing and install the Graphviz `dot` program (Debian package `graphviz`)
# when it is missing; `make test` also installs Chromium and its driver for the browser tests.
# `make docs` builds the documentation site into site/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# pip says what it collects and installs. .pyc files are written at first import instead of at
# install time, and the build backend (pyproject.toml's [build-system] requires, kept equal by
# tests/test_packaging.py) is put in the venv once instead of in an isolated environment for each
# install: seconds less each. setuptools' editable build prints a box of advice on every install
# (about folders named like a package in the working directory: here, the source tree itself).
BUILD_REQUIRES := "setuptools>=77"
PIP_FLAGS := --disable-pip-version-check --progress-bar off --no-compile
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install $(PIP_FLAGS) --no-build-isolation
RUNTIME := $(VENV)/.installed-runtime
DOCS := $(VENV)/.installed-docs
TEST := $(VENV)/.installed-test

.PHONY: demo test docs bench lint system-deps clean

demo: $(RUNTIME)
	@bash scripts/system-deps.sh dot
	$(PY) -m autograd demo

# One BLAS thread per test process: on a small shared machine OpenBLAS threads otherwise wait on
# each other (the notebooks ran 3x slower). Benchmarks (`make bench`) keep numpy's default.
test: $(TEST) system-deps
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest

docs: $(DOCS)
	@bash scripts/system-deps.sh dot
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict  # (quiets the notice that Material for MkDocs ends in 2027)
	@echo "documentation site written to site/ (open site/index.html)"

lint: $(TEST)
	$(PY) -m ruff check .

bench: $(TEST)
	$(PY) -m benchmarks

# A venv without pip takes a tenth of a second; the host's pip (>= 22.3, --python) then puts pip in
# it in a few seconds, where ensurepip takes about ten on this machine. Without such a pip, ensurepip.
$(PY):
	@echo "creating $(VENV) with $(PYTHON) (pip, setuptools) ..."
	@if $(PYTHON) -m pip --python $(PYTHON) --version >/dev/null 2>&1; then \
		$(PYTHON) -m venv --without-pip $(VENV) && \
		$(PYTHON) -m pip --python $(PY) install --quiet $(PIP_FLAGS) pip $(BUILD_REQUIRES); \
	else \
		$(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet $(PIP_FLAGS) $(BUILD_REQUIRES); \
	fi

$(RUNTIME): pyproject.toml | $(PY)
	@echo "installing chalkgrad into $(VENV) with its runtime dependencies (numpy, graphviz) ..."
	$(PIP_INSTALL) -e .
	touch $@

$(DOCS): pyproject.toml | $(PY)
	@echo "installing chalkgrad with the docs extra (MkDocs, Material, mkdocstrings, mkdocs-jupyter) ..."
	$(PIP_INSTALL) -e ".[docs]"
	touch $@ $(RUNTIME)

# The test extra holds the runtime, docs and cluster extras too.
$(TEST): pyproject.toml | $(PY)
	@echo "installing chalkgrad with its test extra (PyTorch, pytest, Dask, MkDocs, ...; a few minutes the first time) ..."
	$(PIP_INSTALL) -e ".[test]"
	touch $@ $(DOCS) $(RUNTIME)

# The `dot` program renders graphs; chromium + chromedriver let the tests open pages in a real
# browser. Installing them needs root (apt-get); without it we say what to run.
system-deps:
	@bash scripts/system-deps.sh dot chromium

clean:
	rm -rf $(VENV) build site *.egg-info .pytest_cache
