# CouponDesk: the two commands of the README.
#   make run   installs what is missing, builds, and opens the app on its default database
#   make test  installs what is missing and runs every test and check (CI runs this)
#   make dist  builds the Debian package (docs/install.md)
# Everything shares one target/ directory so the app is built once per run.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
BINDINGS := ui/src/lib/backend/bindings

.PHONY: run test setup ui app dist check-package check-rust test-rust check-bindings test-ui e2e bench-smoke bench

setup:
	scripts/setup.sh

ui: setup
	cd ui && npm run build

# The CLI too: the chain-mode e2e test (tests/e2e/hub.rs) runs it. Two invocations, not
# one: building both at once unifies their dependencies' features into other builds, so
# every dependency would be compiled a second time.
app: ui
	$(CARGO) build -p coupondesk-app
	$(CARGO) build -p coupondesk

run: app
	$(CARGO) run -p coupondesk-app

check-rust: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The tests never touch the keyring of the person running them: the session bus address
# points nowhere, so the platforms' secrets go to the 0600 file as on a PC without a
# keyring (crates/core/tests/credentials_keyring.rs starts its own bus and Secret Service).
test-rust test-ui: export DBUS_SESSION_BUS_ADDRESS = unix:path=/nonexistent/coupondesk-tests-bus

test-rust: ui
	$(CARGO) test --workspace

# ts-rs regenerates the TypeScript types during `cargo test`; the committed ones must match.
check-bindings: test-rust
	@if [ -n "$$(git status --porcelain -- $(BINDINGS))" ]; then \
	  echo "The TypeScript bindings drifted from the Rust types; commit the regenerated files:"; \
	  git status --porcelain -- $(BINDINGS); exit 1; fi

# Type check + lint, unit tests, and a click-through of the built UI in headless Chromium,
# both against the real core: `coupondesk serve` and the simulator `remote-sim`, built
# here into the same target/ (a no-op when test-rust built them already). Screenshots go
# to target/ui-artifacts.
test-ui: ui
	$(CARGO) build -p coupondesk -p coupondesk-remote-sim
	cd ui && npm run check && npm test
	cd ui && SHOTS_DIR=$(CURDIR)/target/ui-artifacts timeout 300 node scripts/browser-check.mjs

e2e: app
	scripts/e2e.sh

# The Debian package (Tauri bundler): the window with its icon and desktop entry, and the
# CLI `coupondesk` on the PATH; lands in target/release/bundle/deb/. A release build.
dist: ui
	scripts/dist.sh
	scripts/check-deb.sh

# make test checks the same package built from the debug binaries `app` already made
# (seconds, not a second full compile): control data, contents, and both installed
# binaries' --version from a temporary root.
check-package: app
	scripts/dist.sh --debug
	scripts/check-deb.sh --debug

# The benchmarks (their own crate, coupondesk-bench) at a small size, so CI shows they
# still run; full sizes: `make bench`.
bench-smoke: test-rust
	$(CARGO) run -q -p coupondesk-bench -- import --rows 20000
	$(CARGO) run -q -p coupondesk-bench -- generate --count 20000
	$(CARGO) run -q -p coupondesk-bench -- search --codes 50000 --queries 30
	$(CARGO) run -q -p coupondesk-bench -- redeem --codes 50000 --ops 200
	$(CARGO) run -q -p coupondesk-bench -- redeem --codes 50000 --during-import --import-rows 20000
	$(CARGO) run -q -p coupondesk-bench -- sync --codes 5000
	$(CARGO) run -q -p coupondesk-bench -- report --redemptions 20000
	$(CARGO) run -q -p coupondesk-bench -- export --rows 20000
	$(CARGO) run -q -p coupondesk-bench -- import-xlsx --rows 20000
	$(CARGO) run -q -p coupondesk-bench -- hub-claims --desks 2 --redemptions 100
	$(CARGO) run -q -p coupondesk-bench -- print --codes 500
	$(CARGO) run -q -p coupondesk-bench -- hub-join --codes 20000
	$(CARGO) run -q -p coupondesk-bench -- hub-batch-add --codes 20000 --added 2000

bench: setup
	$(CARGO) run --release -q -p coupondesk-bench -- import --rows 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- generate --count 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- search --codes 10000000
	$(CARGO) run --release -q -p coupondesk-bench -- redeem --codes 10000000
	$(CARGO) run --release -q -p coupondesk-bench -- redeem --codes 200000 --during-import --min-run-ms 0,10,25
	$(CARGO) run --release -q -p coupondesk-bench -- undo --rows 1000000 --shop-codes 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- report --redemptions 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- export --rows 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- import-xlsx --rows 1000000
	$(CARGO) run --release -q -p coupondesk-bench -- print --codes 10000
	$(CARGO) run --release -q -p coupondesk-bench -- sync --codes 100000

test: check-rust test-rust check-bindings test-ui e2e check-package bench-smoke
	@echo "make test: all checks passed"
