# Two entry points (README): `make demo` runs the demo grid on the shipped demo corpus, `make test`
# runs the test suite. Both create .venv and install the locked dependency set first.
#
#   make demo TORCH=cu130     the one switch for a CUDA build of torch (a tag of PyTorch's wheel index)
#   make lock                 refresh requirements/lock.txt (docs/install.md)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH ?= cpu
# One stamp per build, and only the last build's stamp kept: a switch of TORCH (either way) sets up again.
STAMP := $(VENV)/.installed-$(TORCH)
LOCK := requirements/lock.txt
TORCH_INDEX ?= https://download.pytorch.org/whl/$(TORCH)
TORCH_VERSION := $(shell sed -n 's/^torch==\([^ ;]*\).*/\1/p' $(LOCK))
# A fixed folder, so that `make demo` after a Ctrl-C resumes the jobs that are not finished.
DEMO_OUT ?= results/demo
LOCK_FLAGS ?= --upgrade
CUDA_PACKAGES := $(shell sed -n 's/^\([a-z0-9-]*\) ;.*/\1/p' requirements/no-cuda.txt)

.PHONY: deps setup demo test lint format lock clean-venv

# torch of the chosen build, then the locked set, into $(VENV) (not the project itself: CI installs its wheel).
# torch is kept if the locked version of that build is installed; else the installed one is removed (pip
# counts 2.13.0+cpu as meeting torch==2.13.0 and would keep a CPU build for TORCH=cu130, or the reverse) and
# torch comes from a wheel in pip's own find-links (offline; no deps, the lock brings them), else from
# PyTorch's index for that build.
deps:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if $(PY) -c "import sys, torch; sys.exit(torch.__version__.split('+')[0] != '$(TORCH_VERSION)' \
	        or (torch.version.cuda is None) != ('$(TORCH)' == 'cpu'))" 2>/dev/null; then \
	    echo "torch $(TORCH_VERSION) ($(TORCH)) is installed: kept"; \
	else \
	    $(PY) -m pip uninstall --quiet --yes torch 2>/dev/null; \
	    if [ "$(TORCH)" = cpu ] && $(PY) -m pip install --quiet --no-index --no-deps "torch==$(TORCH_VERSION)" 2>/dev/null; then \
	        echo "torch $(TORCH_VERSION) (cpu) installed from a local wheel"; \
	    else \
	        echo "installing torch $(TORCH_VERSION) from $(TORCH_INDEX)"; \
	        $(PY) -m pip install --quiet "torch==$(TORCH_VERSION)" --index-url $(TORCH_INDEX); \
	    fi; \
	fi
	$(PY) -m pip install --quiet -r $(LOCK)

$(STAMP): pyproject.toml $(LOCK)
	rm -f $(VENV)/.installed-*
	$(MAKE) --no-print-directory deps VENV=$(VENV) TORCH=$(TORCH)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/bench run --grid poolers=gap,sap,sr --executor processes --workers 2 --out $(DEMO_OUT)
	$(VENV)/bin/bench report $(DEMO_OUT)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .

lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv>=0.5"
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.10 \
	    --constraint requirements/constraints.txt --override requirements/no-cuda.txt \
	    $(addprefix --no-emit-package ,$(CUDA_PACKAGES)) $(LOCK_FLAGS) \
	    --custom-compile-command "make lock" --output-file $(LOCK)

clean-venv:
	rm -rf $(VENV)
