#!/usr/bin/env bash
# Runs the end-to-end tests of the real window under Xvfb. Expects ui/dist and
# target/debug/coupondesk-app to be built (the Makefile's `app` target does both).
set -euo pipefail
cd "$(dirname "$0")/.."

started_xvfb=""
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  Xvfb :99 -screen 0 1280x800x24 -nolisten tcp >/tmp/coupondesk-xvfb.log 2>&1 &
  started_xvfb=$!
  for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() { [ -n "$started_xvfb" ] && kill "$started_xvfb" 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p target/e2e-artifacts
timeout 900 cargo test -p acceptance --test e2e -- --ignored --test-threads=1
