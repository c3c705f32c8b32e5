#!/usr/bin/env bash
# Install the Debian packages the cleanfreight test-suite needs, only when missing (idempotent).
#
#   chromium        headless browser: the map tests open map.html and count rendered markers
#   poppler-utils   pdftotext: the briefing tests read the Chinese text back from briefing.pdf
#   fonts-noto-cjk  Chinese glyphs for chromium screenshots (matplotlib uses the font from mplfonts)
#   postgresql      initdb / pg_ctl: the ledger tests start a throw-away server (unix socket only) to
#                   prove the schema and the report queries on PostgreSQL (pytest -m postgres)
#   openjdk-17-jre-headless  java: pyspark runs the ledger's reports on a local Spark session
#                   (pytest -m spark; cleanfreight ledger report --engine spark)
#
# Usage: scripts/install-system-deps.sh          (root, or a user with sudo)
# Nothing is downloaded when every command is already present.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  need+=(fonts-noto-cjk)
fi
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  need+=(postgresql)
fi
if ! command -v java >/dev/null 2>&1; then
  need+=(openjdk-17-jre-headless)
fi

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-system-deps: chromium, pdftotext, a CJK font, PostgreSQL and Java are already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: apt-get not found; install these yourself: ${need[*]}" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-system-deps: not root and no sudo; install these yourself: ${need[*]}" >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${need[@]}"
