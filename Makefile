# kerust: Keras for Rust notebooks.
#
#   make lab     install what is missing, then start Jupyter Lab on notebooks/
#   make test    install what is missing, then run cargo test, the notebook tests
#                and the browser test (JupyterLab in headless Chromium)
#   make setup   only the installs (each one is skipped when already done)
#
# Installs: evcxr_jupyter (cargo install --locked, into ~/.cargo/bin), Jupyter
# in a project-local virtual environment (.venv, versions pinned in
# requirements-notebooks.txt), the kerust kernelspec (into .venv, nothing
# global) and the MNIST files (into the Keras dataset cache). Stamp files in
# .venv and checks in the install scripts make a second run install nothing.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV        := $(ROOT)/.venv
PY          ?= python3
# Extra arguments for jupyter lab, e.g. make lab LAB_ARGS="--no-browser --port 9000"
LAB_ARGS    ?=
CARGO_BIN   := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
EVCXR_VERSION := 0.22.0
# A kerust kernelspec in the user's Jupyter dir must not shadow the venv's one.
JUPYTER_ENV := JUPYTER_PATH=$(VENV)/share/jupyter JUPYTER_PLATFORM_DIRS=1 PATH="$(VENV)/bin:$(CARGO_BIN):$$PATH"

STAMP_VENV   := $(VENV)/.stamp-requirements
STAMP_BROWSER := $(VENV)/.stamp-browser
# Server options of make lab, shared with the browser test.
LAB_SERVER_ARGS := --MappingKernelManager.default_kernel_name=kerust
CHROMIUM    ?= /usr/bin/chromium

.PHONY: help lab test setup evcxr venv kernel data bench fmt clippy cargo-test notebook-test kernel-test browser-test chromium

help:
	@echo "make lab     install what is missing, start Jupyter Lab on notebooks/"
	@echo "make test    install what is missing, run cargo test and the notebook tests"
	@echo "make setup   install only: evcxr_jupyter, .venv with Jupyter, the kerust kernel, MNIST"
	@echo "make browser-test  JupyterLab in headless Chromium as a student uses it (screenshots in target/browser/)"
	@echo "make kernel  (re)install the kerust kernelspec into .venv"
	@echo "make data    put the MNIST files into the Keras dataset cache"
	@echo "make bench   run the benchmarks (scripts/bench.sh)"
	@echo "make fmt | make clippy"

setup: evcxr venv kernel data

lab: setup
	mkdir -p notebooks && cd notebooks && $(JUPYTER_ENV) $(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_SERVER_ARGS) $(LAB_ARGS)

# All four test steps run even when one fails; make test fails if any did.
test: setup
	@status=0; \
	$(MAKE) --no-print-directory cargo-test || status=1; \
	$(MAKE) --no-print-directory kernel-test || status=1; \
	$(MAKE) --no-print-directory notebook-test || status=1; \
	$(MAKE) --no-print-directory browser-test || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)"; else echo "make test: all passed"; fi; \
	exit $$status

cargo-test: venv
	KERUST_PYTHON="$(VENV)/bin/python" cargo test

kernel-test: evcxr venv kernel
	$(JUPYTER_ENV) $(VENV)/bin/python tests/notebooks/kernel_test.py

notebook-test: evcxr venv kernel data
	$(JUPYTER_ENV) $(VENV)/bin/python tests/notebooks/run_notebooks.py

# JupyterLab in headless Chromium, as a student uses it (tests/browser/).
browser-test: evcxr venv kernel data chromium $(STAMP_BROWSER)
	$(JUPYTER_ENV) LAB_SERVER_ARGS="$(LAB_SERVER_ARGS)" CHROMIUM="$(CHROMIUM)" $(VENV)/bin/python tests/browser/browser_test.py

# Debian's chromium (156 here; playwright 1.64.1 drives it). Never
# `playwright install`: it downloads a browser of its own.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then \
	    echo "chromium: already installed ($(CHROMIUM))"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "chromium: installing with apt-get"; \
	    apt-get install -y --no-install-recommends chromium fonts-liberation || \
	        { apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation; }; \
	else \
	    echo "chromium: not found at $(CHROMIUM). Install it as root with:"; \
	    echo "    sudo apt-get install -y --no-install-recommends chromium fonts-liberation"; \
	    echo "or point CHROMIUM=/path/to/chromium at a Chromium 156."; \
	    exit 1; \
	fi

$(STAMP_BROWSER): requirements-browser.txt $(STAMP_VENV)
	"$(VENV)/bin/python" -m pip install --disable-pip-version-check -q -r requirements-browser.txt
	touch "$@"

# evcxr_jupyter: installed once; about 7 minutes to compile on a fresh machine.
evcxr:
	@if command -v evcxr_jupyter >/dev/null 2>&1 || [ -x "$(CARGO_BIN)/evcxr_jupyter" ]; then \
	    echo "evcxr_jupyter: already installed"; \
	else \
	    echo "evcxr_jupyter: installing $(EVCXR_VERSION) with cargo (this takes several minutes)"; \
	    cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION); \
	fi

venv: $(STAMP_VENV)

$(STAMP_VENV): requirements-notebooks.txt requirements-test.txt
	@[ -x "$(VENV)/bin/python" ] || $(PY) -m venv "$(VENV)"
	"$(VENV)/bin/python" -m pip install --disable-pip-version-check -q -r requirements-notebooks.txt -r requirements-test.txt
	touch "$@"

# Always checked (cheap): the spec holds absolute paths, so a moved checkout
# or a new evcxr_jupyter location gets a fresh spec; an up-to-date one is left alone.
kernel: evcxr $(STAMP_VENV)
	@PATH="$(CARGO_BIN):$$PATH" scripts/install_kernel.sh "$(VENV)"

# scripts/install_mnist.sh checks the cache itself and does nothing when the
# files are there, so it runs every time (the cache may have been emptied).
data:
	bash scripts/install_datasets.sh

bench:
	@if [ -f scripts/bench.sh ]; then bash scripts/bench.sh; \
	else echo "bench: scripts/bench.sh does not exist yet"; fi

fmt:
	cargo fmt

clippy:
	cargo clippy --all-targets -- -D warnings
