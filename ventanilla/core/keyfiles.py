"""Private keys the platform makes for itself (the OIDC signing key, the message log's key)
when the settings give none: written once, safely, however many processes start together."""

import os
from pathlib import Path


def pem_write_once(path: Path, pem: bytes) -> None:
    """Write `pem` to `path` (mode 0600) unless another process got there first; then keep
    theirs, so every process reads the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        # link() fails when the file exists: whoever linked first wins, everyone reads theirs.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
