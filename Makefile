# Two entry points (README): `make demo` runs the main job on the shipped demo corpus,
# `make test` runs the test suite. Both create .venv and install everything first.
# GPU users: install your CUDA build of torch into .venv before `make` (see README).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup demo test clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/bench prepare --dataset demo --out results/demo/manifest.csv

test: setup
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
