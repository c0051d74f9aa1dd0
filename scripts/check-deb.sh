#!/usr/bin/env bash
# Checks the Debian package that scripts/dist.sh built: its control data
# (`dpkg-deb --info`), that it holds the window, the CLI on the PATH, the desktop entry and
# the icon (`--contents`), and that both installed binaries start (`--version`) from a
# temporary root it is extracted into (`dpkg-deb -x`), without installing it system-wide.
#   scripts/check-deb.sh [--debug]     (the profile dist.sh built; release by default)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
[ "${1:-}" = "--debug" ] && profile=debug
target="${CARGO_TARGET_DIR:-target}"
shopt -s nullglob
debs=("$target/$profile/bundle/deb/"*.deb)
if [ "${#debs[@]}" -ne 1 ]; then
  echo "check-deb: expected one .deb in $target/$profile/bundle/deb/, found ${#debs[@]}" >&2
  exit 1
fi
deb="${debs[0]}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
failed=0
ok() { echo "  ok  $1"; }
bad() { echo "  FAIL $1" >&2; failed=1; }

info="$(dpkg-deb --info "$deb")"
field() { printf '%s\n' "$info" | sed -n "s/^ $1: //p"; }
[ "$(field Package)" = "coupon-desk" ] && ok "package name coupon-desk (the bundler's, from productName)" || bad "package name: $(field Package)"
[ "$(field Version)" = "$version" ] && ok "version $version" || bad "version: $(field Version), Cargo.toml says $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] && ok "architecture $(field Architecture)" || bad "architecture: $(field Architecture)"
field Depends | grep -q 'libwebkit2gtk-4.1-0' && ok "depends on libwebkit2gtk-4.1-0" || bad "depends: $(field Depends)"
# Printed codes and the daily close are set in a Chinese font found through fontconfig
# (docs/printing.md).
field Depends | grep -q 'fonts-noto-cjk' && ok "depends on fonts-noto-cjk" || bad "depends: $(field Depends)"
field Depends | grep -q 'fontconfig' && ok "depends on fontconfig (fc-match)" || bad "depends: $(field Depends)"

contents="$(dpkg-deb --contents "$deb" | awk '{print $NF}')"
has() { printf "%s\n" "$contents" | sed "s,^\./,," | grep -qx "$1"; }
for path in usr/bin/coupondesk-app usr/bin/coupondesk usr/share/applications/CouponDesk.desktop \
  usr/share/icons/hicolor/128x128/apps/coupondesk-app.png; do
  has "$path" && ok "holds $path" || bad "no $path in the package"
done

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
desktop="$root/usr/share/applications/CouponDesk.desktop"
if [ -f "$desktop" ]; then
  grep -qx 'Exec=coupondesk-app' "$desktop" && ok "the desktop entry starts coupondesk-app" || bad "desktop Exec: $(grep '^Exec=' "$desktop")"
  grep -qx 'Icon=coupondesk-app' "$desktop" && ok "the desktop entry names the icon" || bad "desktop Icon: $(grep '^Icon=' "$desktop")"
fi
out="$("$root/usr/bin/coupondesk" --version 2>&1)" && [ "$out" = "coupondesk $version" ] \
  && ok "installed coupondesk --version: $out" || bad "installed coupondesk --version: $out"
out="$("$root/usr/bin/coupondesk-app" --version 2>&1)" && [ "$out" = "coupondesk-app $version" ] \
  && ok "installed coupondesk-app --version: $out" || bad "installed coupondesk-app --version: $out"

[ "$failed" -eq 0 ] && echo "check-deb: $deb is a complete package" || exit 1
