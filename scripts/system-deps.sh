#!/usr/bin/env bash
# Install the programs chalkgrad uses from the operating system, when missing:
#   dot (Debian package graphviz)                      renders graphs to SVG/PNG/PDF
#   chromium + chromedriver (chromium, chromium-driver) let the tests open the HTML page
# Needs root for apt-get; otherwise it prints the command to run and carries on.
# Usage: system-deps.sh [dot] [chromium]   (both when no argument is given; `make demo` asks for dot only)
set -u
[ $# -eq 0 ] && set -- dot chromium
missing=()
for tool in "$@"; do
  case "$tool" in
    dot) command -v dot >/dev/null 2>&1 || missing+=(graphviz) ;;
    chromium)
      command -v chromium >/dev/null 2>&1 || missing+=(chromium)
      command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver) ;;
    *) echo "system-deps.sh: unknown tool '$tool' (dot, chromium)" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get ..."
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    && exit 0
  echo "apt-get could not install ${missing[*]}." >&2
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "Installing ${missing[*]} with sudo apt-get ..."
  sudo apt-get update -q >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    && exit 0
fi
cat >&2 <<MSG
chalkgrad: these system packages are missing and could not be installed automatically: ${missing[*]}
  Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  macOS:          brew install graphviz  (and Chromium + chromedriver for the browser test)
Without dot, draw_graph still returns the DOT source but cannot render it; without chromium
the browser test is skipped.
MSG
exit 0
