# Two set-up commands (see README): `make figures` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch is pinned to the CPU wheel when absent; override with e.g. `make test TORCH=torch==2.5.1`.
TORCH  ?= torch==2.13.0
PIP    := $(BIN)/python -m pip

.PHONY: figures figures-quick test test-all verify bench lint clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Keep a torch that is already in the venv (a GPU build, say); otherwise install $(TORCH).
$(VENV)/.torch: | $(BIN)/python
	@$(BIN)/python -c "import torch" 2>/dev/null && echo "torch present: kept" || $(PIP) install "$(TORCH)"
	@touch $@

$(VENV)/.base: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[torch]"
	@touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.base
	$(PIP) install -e ".[torch,dev,notebooks,cluster,ucr]"
	@touch $@

figures: $(VENV)/.base
	$(BIN)/autocorr-ssm figures

figures-quick: $(VENV)/.base
	$(BIN)/autocorr-ssm figures --quick --out build/figures-quick

verify: $(VENV)/.base
	$(BIN)/autocorr-ssm verify

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-all: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "" 

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/kernel.py

clean-venv:
	rm -rf $(VENV)
