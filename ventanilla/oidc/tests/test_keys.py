"""The ID-token signing key: configured as PEM text or a path, or generated once and shared by
every process that starts at the same time (gunicorn's workers on a fresh demo)."""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ventanilla.oidc.keys import signing_key_pem


def _key_at(path: str) -> str:
    return signing_key_pem("", default_path=Path(path))


def test_processes_starting_together_all_sign_with_the_same_generated_key(tmp_path):
    path = tmp_path / "oidc" / "signing-key.pem"
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(_key_at, [str(path)] * 8))
    assert len(keys) == 1
    assert keys.pop().startswith("-----BEGIN PRIVATE KEY-----")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]  # no temporary left


def test_a_configured_key_wins_as_text_or_as_a_path(tmp_path):
    generated = _key_at(str(tmp_path / "a.pem"))
    elsewhere = tmp_path / "unused.pem"
    assert signing_key_pem(generated, default_path=elsewhere).strip() == generated.strip()
    assert signing_key_pem(str(tmp_path / "a.pem"), default_path=elsewhere) == generated
    assert not elsewhere.exists()
