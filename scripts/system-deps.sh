#!/usr/bin/env bash
# Debian packages the test suite drives for real: Chromium (browser tests),
# gettext (translation catalogue checks) and poppler-utils (pdftotext).
# Installs what is missing when run as root; otherwise says what to install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "Note: missing system packages (${need[*]}); tests that need them will be skipped." >&2
  echo "      Install with: sudo apt-get install ${need[*]}" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: these are required." >&2
    exit 1
  fi
fi
