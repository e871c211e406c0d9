#!/usr/bin/env bash
# What the browser checks (tests/browser/) need: Debian's Chromium and axe-core from npm.
# Called by `make browser-deps` before the tests; silent when everything is already there.
# Never `playwright install`: the browser comes from Debian, the Playwright driver from PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM=/usr/bin/chromium
AXE=node_modules/axe-core/axe.min.js

if [[ ! -x $CHROMIUM ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "ensure-browser: installing chromium and fonts-dejavu-core from Debian…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "ensure-browser: $CHROMIUM is missing; as root run:" >&2
    echo "  apt-get update && apt-get install -y chromium fonts-dejavu-core" >&2
    exit 1
  fi
fi

if [[ ! -f $AXE ]]; then
  command -v npm >/dev/null || { echo "ensure-browser: npm is needed to install axe-core" >&2; exit 1; }
  echo "ensure-browser: installing axe-core from package-lock.json…"
  npm ci --no-audit --no-fund --loglevel=error
fi
