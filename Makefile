# capsign: one entry point for people and CI.
#   make demo   the main job (until the demo app lands: the Rust quickstart)
#   make test   everything CI checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PY_DEPS := "maturin>=1.16,<2" "pytest>=8" "flask>=2.2" "filestack-python==4.0.0" "mypy>=1.10" "ruff>=0.6"
PY_SOURCES := python tests/python examples bench

.PHONY: demo test lint test-rust vectors vectors-check python test-python wheel-check \
        bench bench-rust bench-python clean

demo:
	$(CARGO) run --quiet -p capsign --example quickstart

test: lint test-rust vectors-check test-python wheel-check
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test-rust:
	$(CARGO) test -p capsign --locked

vectors:
	$(CARGO) run --quiet -p capsign --example gen_vectors -- tests/vectors

vectors-check:
	$(CARGO) run --quiet --locked -p capsign --example gen_vectors -- --check tests/vectors

# --- Python -------------------------------------------------------------------------

$(VENV)/.deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PY_DEPS)
	touch $@

# Builds the extension into the virtualenv (editable: python/capsign is the package).
python: $(VENV)/.deps
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release --quiet

test-python: python
	$(PY) -m pytest tests/python -q
	$(PY) -m mypy.stubtest capsign._native
	$(PY) -m mypy
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)

# As a user would: pip builds the wheel from this checkout (fetching maturin itself, so
# only pip and the Rust toolchain are needed), then installs it into a clean virtualenv.
wheel-check:
	rm -rf target/wheels target/wheel-venv
	$(PYTHON) -m venv target/wheel-venv
	target/wheel-venv/bin/pip install --quiet --upgrade pip
	target/wheel-venv/bin/pip wheel --quiet --no-deps --wheel-dir target/wheels .
	target/wheel-venv/bin/pip install --quiet target/wheels/capsign-*.whl
	cd /tmp && $(abspath target/wheel-venv)/bin/python -c 'import capsign; \
	  c = capsign.Signer("wheel-check-secret-0123").issue(call=["read"]); \
	  assert capsign.Verifier("wheel-check-secret-0123").verify_token(c.token, call="read").policy["call"] == ["read"]; \
	  print("wheel", capsign.__version__, "ok")'
	target/wheel-venv/bin/capsign --version

# --- Benchmarks ---------------------------------------------------------------------

bench: bench-rust bench-python

bench-rust:
	$(CARGO) bench -p capsign

bench-python: python
	$(PY) -m pip install --quiet "pyjwt>=2.8" "itsdangerous>=2.1"
	$(PY) bench/python_bench.py

clean:
	$(CARGO) clean
	rm -rf $(VENV)
