#!/usr/bin/env bash
# What the nginx page-cache checks (tests/deploy/, deploy/scripts/check_nginx_cache.py) and
# `make bench` need: Debian's nginx, its cache-purge module (exact-key PURGE) and wrk.
# Called by `make deploy-deps` before the tests; silent when everything is already there. Not
# root and something missing: says what to install and exits 0 (those tests then skip).
set -euo pipefail

PURGE_MODULE=/usr/lib/nginx/modules/ngx_http_cache_purge_module.so
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
[[ -f $PURGE_MODULE ]] || missing+=(libnginx-mod-http-cache-purge)
command -v wrk >/dev/null || missing+=(wrk)
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-nginx: missing ${missing[*]}; the nginx checks will be skipped. As root run:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "ensure-nginx: installing ${missing[*]} from Debian…"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine: update once if the install fails.
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
