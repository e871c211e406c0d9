"""Password hashing: Argon2id with OWASP's recommended cost (docs/decisions/0007-identity.md).

Django's own Argon2 defaults (100 MiB, 8 lanes) would need 5 GB for 50 logins at once on a web
host; 19 MiB × 2 passes × 1 lane costs an attacker as much per guess per byte of memory, keeps a
login around 20–40 ms of one core, and fits 50 concurrent logins in under 1 GB."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class VentanillaArgon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
