#!/usr/bin/env bash
# Runs the end-to-end tests of the real window under Xvfb and exits with their status.
# Expects ui/dist and target/debug/coupondesk-app to be built (the Makefile's `app` target
# does both); `scripts/e2e.sh --build` builds them first. Screenshots of every step go to
# target/e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--build" ]; then
  (cd ui && npm run build)
  cargo build -p coupondesk-app
fi
for needed in ui/dist/index.html target/debug/coupondesk-app; do
  if [ ! -e "$needed" ]; then
    echo "e2e: $needed is missing: run \`make app\` or \`scripts/e2e.sh --build\`" >&2
    exit 2
  fi
done

started_xvfb=""
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  # If another Xvfb already serves :99 this one exits at once and the tests use that one.
  # A 1366×768 screen: the shop PCs the window is made for (tests/e2e/screens.rs).
  Xvfb :99 -screen 0 1366x768x24 -nolisten tcp >/tmp/coupondesk-xvfb.log 2>&1 &
  started_xvfb=$!
  # Up to 30 s: on a busy 2-core machine Xvfb can take seconds to accept clients.
  for _ in $(seq 300); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() { [ -n "$started_xvfb" ] && kill "$started_xvfb" 2>/dev/null || true; }
trap cleanup EXIT
if ! xdpyinfo >/dev/null 2>&1; then
  echo "e2e: no X display at $DISPLAY (see /tmp/coupondesk-xvfb.log)" >&2
  exit 2
fi

mkdir -p target/e2e-artifacts
timeout 900 cargo test -p acceptance --test e2e -- --ignored --test-threads=1
