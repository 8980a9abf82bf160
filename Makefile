# Two entry points (README): `make demo` runs the main job on the shipped demo corpus,
# `make test` runs the test suite. Both create .venv and install everything first.
# GPU users: install your CUDA build of torch into .venv before `make` (see README).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_SPEC ?= torch==2.13.0
DEMO_OUT ?= results/demo-$(shell date +%Y%m%d-%H%M%S)

.PHONY: setup demo test clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/bench run --grid poolers=gap,sap,sr --out $(DEMO_OUT)
	$(VENV)/bin/bench report $(DEMO_OUT)

test: setup
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
