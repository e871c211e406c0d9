"""The platform's Ed25519 key, which signs every message log entry (ADR 0012).

Production names it in settings.INTEROP_SIGNING_KEY (the PEM text, or the path of a PEM file).
The demo and the tests need nothing: the first process that asks generates one at
settings.INTEROP_SIGNING_KEY_PATH, and every later process (and every worker) reads that same
file. After a rotation the old keys go to settings.INTEROP_PREVIOUS_KEYS (PEM text or paths,
public or private keys): they only verify the entries they signed.

A key is named by its `key_id`: the first 16 hex digits of the SHA-256 of its raw 32-byte
public key. Each log entry records the key_id that signed it."""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from ventanilla.core.keyfiles import pem_write_once

PEM_BEGIN = "-----BEGIN"


@dataclass(frozen=True)
class PlatformKey:
    private: Ed25519PrivateKey
    key_id: str


def key_id_of(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _pem_text(configured: str) -> str:
    configured = configured.strip()
    if configured.startswith(PEM_BEGIN):
        return configured + "\n"
    return Path(configured).read_text()


def _generate_into(path: Path) -> None:
    """Write a new key to `path` unless another process got there first (then keep theirs)."""
    pem_write_once(
        path,
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@lru_cache(maxsize=4)
def _load_private(configured: str, default_path: str) -> PlatformKey:
    if configured.strip():
        pem = _pem_text(configured)
    else:
        path = Path(default_path)
        if not path.exists():
            _generate_into(path)
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("INTEROP_SIGNING_KEY is not an Ed25519 private key")
    return PlatformKey(private=key, key_id=key_id_of(key.public_key()))


def _public_from_pem(pem: str) -> Ed25519PublicKey:
    data = pem.encode()
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("INTEROP_PREVIOUS_KEYS holds a key that is not Ed25519")
        return private.public_key()
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError("INTEROP_PREVIOUS_KEYS holds a key that is not Ed25519")
    return public


@lru_cache(maxsize=4)
def _load_public(previous: tuple[str, ...], current_id: str, current: bytes) -> dict[str, bytes]:
    keys = {}
    for configured in previous:
        public = _public_from_pem(_pem_text(configured))
        keys[key_id_of(public)] = public.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    keys[current_id] = current
    return keys


def platform_key() -> PlatformKey:
    """The key that signs new entries (read once per process and settings)."""
    return _load_private(settings.INTEROP_SIGNING_KEY, str(settings.INTEROP_SIGNING_KEY_PATH))


def verification_keys() -> dict[str, bytes]:
    """{key_id: raw 32-byte public key} of the current key and every previous one."""
    key = platform_key()
    raw = key.private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return _load_public(tuple(settings.INTEROP_PREVIOUS_KEYS), key.key_id, raw)


def sign(data: bytes) -> tuple[str, str]:
    """(base64 Ed25519 signature of `data`, key_id of the key that made it)."""
    key = platform_key()
    return base64.b64encode(key.private.sign(data)).decode("ascii"), key.key_id


class Verifier:
    """Checks signatures against a fixed set of raw public keys ({key_id: bytes}). Made of
    plain bytes so it travels to worker processes; needs no settings."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        self.keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in keys.items()}

    def verify(self, *, key_id: str, data: bytes, signature: str) -> bool:
        public = self.keys.get(key_id)
        if public is None:
            return False
        try:
            public.verify(base64.b64decode(signature, validate=True), data)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
