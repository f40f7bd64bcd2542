# vk-cmd: run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NPM_BIN := node_modules/.bin
MOCHA := $(NPM_BIN)/mocha
PROTO_SRC := proto/vkcmd/runner/v1/runner.proto
GEN_FLAGS := --longs=Number --enums=String --defaults --oneofs --grpcLib=@grpc/grpc-js --importFileExtension=.js
TS_SOURCES := $(shell find src test bench -name '*.ts' -not -path 'test/tools/*' 2>/dev/null)
BENCH_ARGS ?=
CC ?= cc
# The PTY helper for exec and containers with tty (native/vk-cmd-pty.c; docs/decisions/0007-pty.md).
PTY_HELPER := dist/native/vk-cmd-pty
# The launcher that forks containers for the runner (native/vk-cmd-launcher.c; docs/decisions/0010-launcher.md).
LAUNCHER := dist/native/vk-cmd-launcher

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-fund --no-audit
	@touch $@

.PHONY: install
install: node_modules/.package-lock.json ## Install npm dependencies (npm ci)

.PHONY: generate
generate: install ## Regenerate TypeScript types from proto/ into src/generated/
	rm -rf src/generated
	$(NPM_BIN)/proto-loader-gen-types $(GEN_FLAGS) -O src/generated $(PROTO_SRC)
	$(NPM_BIN)/prettier --log-level warn --write src/generated >/dev/null 2>&1 || true

dist/.build-stamp: node_modules/.package-lock.json tsconfig.json $(TS_SOURCES) native/vk-cmd-pty.c native/vk-cmd-launcher.c
	@# A clean output: a renamed or deleted test must not linger in dist/ and run.
	rm -rf dist
	$(NPM_BIN)/tsc -p tsconfig.json
	mkdir -p $(dir $(PTY_HELPER))
	$(CC) -O2 -Wall -Wextra -Werror -o $(PTY_HELPER) native/vk-cmd-pty.c
	$(CC) -O2 -Wall -Wextra -Werror -o $(LAUNCHER) native/vk-cmd-launcher.c
	@touch $@

.PHONY: build
build: dist/.build-stamp ## Compile TypeScript, the PTY helper and the launcher into dist/

.PHONY: lint
lint: install ## ESLint, Prettier and the type checker
	$(NPM_BIN)/tsc -p tsconfig.json --noEmit
	$(NPM_BIN)/eslint .
	$(NPM_BIN)/prettier --check .

.PHONY: test
test: test-unit test-integration test-e2e test-dist ## Run every test: unit, integration, end-to-end and the release tarball

.PHONY: test-unit
test-unit: build ## Unit tests (no processes, no network)
	$(MOCHA) 'dist/test/unit/**/*.test.js'

.PHONY: test-integration
test-integration: build ## Integration tests (real processes and gRPC on unix sockets)
	$(MOCHA) --timeout 60000 'dist/test/integration/**/*.test.js'

.PHONY: test-crash
test-crash: build ## The runner killed at random points KILLS times (default 1000): nothing runs twice, exit codes stay true
	VK_CMD_CRASH_KILLS=$(or $(KILLS),1000) $(MOCHA) --timeout 60000 dist/test/integration/runner/crash-injection.test.js

.PHONY: test-e2e
test-e2e: build tools ## End-to-end tests against a real local control plane
	$(MOCHA) --require dist/test/e2e/support/root-hooks.js --timeout 180000 'dist/test/e2e/*.test.js'

.PHONY: coverage
coverage: build ## Unit and integration tests with a coverage report
	$(NPM_BIN)/c8 --reporter=text-summary --reporter=html $(MOCHA) --timeout 60000 'dist/test/unit/**/*.test.js' 'dist/test/integration/**/*.test.js'

.PHONY: tools
tools: ## Build kube-apiserver, scheduler, controller-manager, kubectl, etcd, metrics-server, grpcurl, helm, prometheus and promtool into .tools/bin
	bash scripts/tools.sh

.PHONY: cluster-up
cluster-up: tools ## Start a local control plane on loopback (.cluster/)
	bash scripts/cluster-up.sh

.PHONY: cluster-down
cluster-down: ## Stop the local control plane
	bash scripts/cluster-down.sh

.PHONY: demo
demo: build tools ## Fresh machine: control plane + a vk-cmd node + the wiki's example pod, shown live (KUBELET_PORT_DEMO, HEALTHZ_PORT_DEMO: see scripts/demo.sh)
	bash scripts/demo.sh

.PHONY: demo-down
demo-down: ## Stop everything `make demo` started
	bash scripts/demo-down.sh

.PHONY: bench
bench: build tools ## Benchmark latency, throughput and footprint (BENCH_ARGS=--quick for a smoke run)
	node dist/bench/bench.js $(BENCH_ARGS)

.PHONY: dist
dist: build ## Self-contained runner tarball (bundled JS + Node.js binary) in build/
	bash scripts/dist.sh

# The tools the runner's process tests use from PATH (the runner itself needs none).
DIST_TEST_TOOLS := sh bash sleep cat ps readlink mv rm mkdir env setsid seq touch kill printf echo true false wc stty tty mkfifo
DIST_TESTS := cli restart-safety process-smoke exec attach launcher

.PHONY: test-dist
test-dist: dist ## The unpacked release tarball passes the runner's process, exec and attach tests, with no Node.js on PATH
	@set -euo pipefail; \
	tarball=$$(ls -t build/vk-cmd-runner-*-linux-x64.tar.gz | head -n 1); \
	(cd build && sha256sum -c "$$(basename "$$tarball").sha256"); \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/vk-cmd-test-dist.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	tar -xzf "$$tarball" -C "$$tmp"; \
	runner=$$(echo "$$tmp"/vk-cmd-runner-*/vk-cmd-runner); \
	mkdir "$$tmp/bin"; \
	for tool in $(DIST_TEST_TOOLS); do \
	  file=$$(type -P "$$tool") || { echo "test-dist: $$tool not found" >&2; exit 1; }; \
	  ln -s "$$file" "$$tmp/bin/$$tool"; \
	done; \
	if env -i PATH="$$tmp/bin" /bin/sh -c 'command -v node' >/dev/null; then \
	  echo "test-dist: node is on the test PATH" >&2; exit 1; \
	fi; \
	echo "test-dist: $$runner with PATH=$$tmp/bin"; \
	VK_CMD_TEST_RUNNER="$$runner" VK_CMD_TEST_RUNNER_PATH="$$tmp/bin" \
	  $(MOCHA) --timeout 60000 $(foreach t,$(DIST_TESTS),dist/test/integration/runner/$(t).test.js)

.PHONY: clean
clean: ## Remove build output (keeps .tools)
	rm -rf dist coverage build
