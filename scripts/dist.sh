#!/usr/bin/env bash
# Builds CouponDesk's Debian package with the Tauri bundler (tauri.conf.json > bundle):
# the window `coupondesk-app` with its icon and desktop entry, and the command line
# `coupondesk` at /usr/bin/coupondesk (bundle.linux.deb.files, copied to target/dist/ here).
#   scripts/dist.sh           release build: `make dist`; the .deb lands in
#                             <target>/release/bundle/deb/
#   scripts/dist.sh --debug   the same package from the debug build that `make test` has
#                             already made (no release compile): what `make test` checks
# Expects ui/dist to be built (the Makefile's `ui` target).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
args=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  args=(--debug)
fi
target="${CARGO_TARGET_DIR:-target}"
if [ ! -e ui/dist/index.html ]; then
  echo "dist: ui/dist is missing: run \`make ui\` first" >&2
  exit 2
fi

# The CLI first: the bundler copies it from target/dist/ (a fixed path in tauri.conf.json,
# whatever CARGO_TARGET_DIR says).
if [ "$profile" = release ]; then
  cargo build --release -p coupondesk
else
  cargo build -p coupondesk
fi
mkdir -p target/dist
cp "$target/$profile/coupondesk" target/dist/coupondesk

# The bundler writes into the window's binary (its bundle type), which fails with "Text
# file busy" while a window still runs it: right after the e2e tests one may still be
# closing. Wait for it (at most 30 s).
app="$(realpath "$target/$profile/coupondesk-app" 2>/dev/null || true)"
for _ in $(seq 60); do
  busy=""
  for exe in /proc/[0-9]*/exe; do
    [ "$(readlink "$exe" 2>/dev/null)" = "$app" ] && busy=yes && break
  done
  [ -z "$busy" ] && break
  sleep 0.5
done
if [ -n "$busy" ]; then
  echo "dist: $app is still running; close the window and try again" >&2
  exit 1
fi

# The window and the package. The Tauri CLI comes from the UI's npm packages.
(cd src-tauri && ../ui/node_modules/.bin/tauri build "${args[@]}" --bundles deb --ci)
ls "$target/$profile/bundle/deb/"*.deb
