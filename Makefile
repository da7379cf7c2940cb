# capsign: one entry point for people and CI.
#   make demo   the main job (until the demo app lands: the Rust quickstart)
#   make test   everything CI checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

.PHONY: demo test test-rust lint vectors vectors-check bench bench-rust clean

demo:
	$(CARGO) run --quiet -p capsign --example quickstart

test: lint test-rust vectors-check
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test-rust:
	$(CARGO) test --workspace --locked

vectors:
	$(CARGO) run --quiet -p capsign --example gen_vectors -- tests/vectors

vectors-check:
	$(CARGO) run --quiet --locked -p capsign --example gen_vectors -- --check tests/vectors

bench: bench-rust

bench-rust:
	$(CARGO) bench -p capsign

clean:
	$(CARGO) clean
