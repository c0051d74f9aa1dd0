#!/usr/bin/env bash
# Installs what CouponDesk needs on a fresh Debian machine (run as root), and nothing
# that is already there: system packages, the UI's npm packages, tauri-driver.
# Called by `make run` and `make test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# libdbus-1-dev: the core's OS keyring (the `keyring` crate's Secret Service over libdbus).
# gnome-keyring, dbus-daemon, dbus-bin: the real Secret Service that
# crates/core/tests/credentials_keyring.rs starts on a private bus.
# fonts-noto-cjk, fontconfig: the Chinese font printed codes and the daily close are set
# in, found with fc-match (crates/core/src/print/font.rs; the .deb depends on both).
# poppler-utils: pdfinfo, pdftoppm, pdftotext, which the print tests read the PDFs with.
# postgresql: initdb, pg_ctl and psql for the chain-mode hub's tests, which start their
# own throwaway clusters (crates/pgtest). Setup starts no server; the package's own
# default cluster (/etc/postgresql) is not used by anything of CouponDesk.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver x11-utils
  imagemagick sqlite3 pkg-config fonts-noto-cjk fontconfig chromium openbox
  libdbus-1-dev gnome-keyring dbus-daemon dbus-bin poppler-utils postgresql
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the UI, exactly as the lock file says; skipped when already in place.
if [ ! -f ui/node_modules/.package-lock.json ] || ! cmp -s ui/package-lock.json ui/node_modules/.coupondesk-lock; then
  echo "setup: npm ci in ui/"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.coupondesk-lock)
fi

# tauri-driver drives the real window in the end-to-end tests.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
