"""The key that signs ID tokens (RS256). Read by the settings, so this module imports nothing
from Django or from the rest of Ventanilla.

Production names it in VENTANILLA_OIDC_PRIVATE_KEY (the PEM text, or the path of a PEM file).
The demo and the tests need nothing: the first process that asks generates one into the var
directory, and every later process (and every worker) reads that same file. Rotation:
docs/decisions/0008-openid-connect-provider.md."""

from pathlib import Path

PEM_BEGIN = "-----BEGIN"


def signing_key_pem(configured: str, *, default_path: Path) -> str:
    """The private key as PEM text: `configured` itself when it is PEM, the file it names when
    it is a path, else the key at `default_path`, generated there on first use."""
    configured = configured.strip()
    if configured.startswith(PEM_BEGIN):
        return configured + "\n"
    if configured:
        return Path(configured).read_text()
    if not default_path.exists():
        _generate_into(default_path)
    return default_path.read_text()


def _generate_into(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ventanilla.core.keyfiles import pem_write_once

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pem_write_once(path, pem)
