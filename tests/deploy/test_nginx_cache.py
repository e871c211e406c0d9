"""The production nginx config (deploy/nginx/ventanilla.conf) keeps its promises on a real nginx:
deploy/scripts/check_nginx_cache.py starts it on loopback with a stand-in application and checks
caching, bypass, exact purges (also through purge_front_caches), stale pages and static files.

`make test` installs nginx and the purge module first (`make deploy-deps`); without root and
without nginx the test is skipped, with root it must run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "deploy" / "scripts" / "check_nginx_cache.py"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
# nginx lives in /usr/sbin, which a non-root PATH often leaves out.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def test_nginx_config_keeps_every_caching_and_purge_promise():
    nginx = shutil.which("nginx", path=SEARCH_PATH)
    if not (nginx and PURGE_MODULE.exists()):
        if os.geteuid() != 0:
            pytest.skip("nginx or libnginx-mod-http-cache-purge missing: run as root")
        pytest.fail("nginx or its purge module is missing: run deploy/scripts/ensure-nginx.sh")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(nginx).parent), SEARCH_PATH])}
    done = subprocess.run(
        [sys.executable, str(CHECK)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = done.stdout + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "FAIL" not in done.stdout, report
    assert "all promises kept" in done.stdout, report
