"""The mediator's message log: one entry per exchange, append-only, hash-chained and signed.

**The chain.** Entry n stores `prev_hash`, the `entry_hash` of entry n-1 ("0" * 64 for the
first), and its own

    entry_hash = SHA-256( prev_hash "\\n" prev_signature "\\n" canonical(entry) )   (hex)
    signature  = base64 Ed25519( entry_hash as ASCII )                             (platform key)

where `prev_signature` is entry n-1's signature ("" for the first) and `canonical(entry)` is
the compact JSON array (UTF-8, no spaces, non-ASCII kept as is)

    ["ventanilla-log-1", seq, x_road_id, created_at, client, service, method, path, user_id,
     subject, issue, status, outcome, request_hash, response_hash, duration_ms,
     consent_record, key_id]

with `created_at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, numbers as JSON integers. Every
field of the row is covered except `entry_hash` and `signature` themselves.

Because each hash covers the previous entry's signature as well as its hash, one valid
signature on entry n vouches for the content and the signatures of every entry before it
(the platform signed a hash that commits to all of them). `message_log_verify` therefore
recomputes every hash and checks every link, but verifies one signature per batch (its last
entry, ~120 µs each) and, only when that fails, each signature of that batch to name the first
forged entry. ADR 0012 explains the choice.

**One writer at a time, crash-safe.** `message_log_append` runs in its own transaction: it
locks the single `MessageLogHead` row (SELECT … FOR UPDATE; on SQLite the IMMEDIATE
transaction already serialises writers), takes seq and the previous hash from it, inserts the
entry and moves the head. A process that dies before COMMIT leaves neither: the database rolls
both back, the lock goes with the dead connection, and the next append continues the chain."""

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from multiprocessing import get_context
from typing import Any

from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from ventanilla.interop.models import MessageLogEntry, MessageLogHead

from . import signing

GENESIS_HASH = "0" * 64
CANONICAL_TAG = "ventanilla-log-1"
# The row's fields in canonical order (created_at is formatted, the rest as stored).
CANONICAL_FIELDS = (
    "seq",
    "x_road_id",
    "created_at",
    "client",
    "service",
    "method",
    "path",
    "user_id",
    "subject",
    "issue",
    "status",
    "outcome",
    "request_hash",
    "response_hash",
    "duration_ms",
    "consent_record",
    "key_id",
)
_VERIFY_FIELDS = (*CANONICAL_FIELDS, "prev_hash", "entry_hash", "signature")
_SEQ, _KEY_ID = 0, CANONICAL_FIELDS.index("key_id")
_PREV, _HASH, _SIG = len(CANONICAL_FIELDS), len(CANONICAL_FIELDS) + 1, len(CANONICAL_FIELDS) + 2
_CREATED = CANONICAL_FIELDS.index("created_at")

# What message_log_append accepts, with the column widths it cuts them to.
_TEXT_FIELDS = {
    "x_road_id": 64,
    "client": 300,
    "service": 300,
    "method": 10,
    "path": 1000,
    "user_id": 200,
    "subject": 40,
    "issue": 200,
    "outcome": 80,
    "request_hash": 100,
    "response_hash": 100,
    "consent_record": 64,
}
_INT_FIELDS = ("status", "duration_ms")

BATCH = 2000  # entries per database fetch, and per signature checkpoint
RANGE = 50_000  # entries per unit of work of a verifying process
PARALLEL_FROM = 100_000  # below this, worker processes cost more than they save


# --- the canonical form, the hash, the signature --------------------------------------------


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def entry_canonical(values: Sequence[Any]) -> str:
    """The canonical JSON of an entry given as values in CANONICAL_FIELDS order."""
    items = [CANONICAL_TAG, *values]
    items[_CREATED + 1] = items[_CREATED + 1].astimezone(UTC).isoformat(timespec="microseconds")
    return _ENCODER.encode(items)


def entry_hash_compute(*, prev_hash: str, prev_signature: str, values: Sequence[Any]) -> str:
    """The entry_hash of an entry (values in CANONICAL_FIELDS order) after the given one."""
    text = f"{prev_hash}\n{prev_signature}\n{entry_canonical(values)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean_text(value: Any, width: int) -> str:
    # PostgreSQL refuses NUL in text; a lone surrogate cannot be encoded to hash.
    text = str(value or "").replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:width]


def entry_build(
    *, seq: int, prev_hash: str, prev_signature: str, created_at: datetime, **fields: Any
) -> MessageLogEntry:
    """An unsaved entry following (prev_hash, prev_signature), hashed and signed with the
    platform key. Text fields are cut to their columns; unknown fields are refused."""
    unknown = set(fields) - set(_TEXT_FIELDS) - set(_INT_FIELDS)
    if unknown:
        raise TypeError(f"unknown message log fields: {sorted(unknown)}")
    clean: dict[str, Any] = {k: _clean_text(fields.get(k, ""), w) for k, w in _TEXT_FIELDS.items()}
    clean.update({k: max(0, int(fields.get(k) or 0)) for k in _INT_FIELDS})
    clean["status"] = min(clean["status"], 32767)
    clean["duration_ms"] = min(clean["duration_ms"], 2**31 - 1)
    key_id = signing.platform_key().key_id
    values = {**clean, "seq": seq, "created_at": created_at, "key_id": key_id}
    digest = entry_hash_compute(
        prev_hash=prev_hash,
        prev_signature=prev_signature,
        values=[values[f] for f in CANONICAL_FIELDS],
    )
    signature, _kid = signing.sign(digest.encode("ascii"))
    return MessageLogEntry(**values, prev_hash=prev_hash, entry_hash=digest, signature=signature)


# --- appending ------------------------------------------------------------------------------


def _head_locked() -> MessageLogHead:
    """The head row, locked until the surrounding transaction ends; made when missing (two
    processes racing to make it: one insert wins, the other waits and reads it)."""
    head = MessageLogHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            MessageLogHead.objects.create(pk=1)
    except IntegrityError:
        pass
    return MessageLogHead.objects.select_for_update().get(pk=1)


def message_log_append(**fields: Any) -> MessageLogEntry:
    """Append one entry (fields: x_road_id, client, service, method, path, user_id, subject,
    issue, status, outcome, request_hash, response_hash, duration_ms, consent_record and
    optionally created_at) in its own transaction; returns it saved, with seq and signature."""
    created_at = fields.pop("created_at", None) or timezone.now()
    with transaction.atomic():
        head = _head_locked()
        prev_signature = head.signature
        if head.seq and not prev_signature:  # a head from before it kept the signature
            found = (
                MessageLogEntry.objects.filter(seq=head.seq)
                .values_list("signature", flat=True)
                .first()
            )
            prev_signature = found or ""
        entry = entry_build(
            seq=head.seq + 1,
            prev_hash=head.entry_hash,
            prev_signature=prev_signature,
            created_at=created_at,
            **fields,
        )
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        head.signature = entry.signature
        head.save(update_fields=["seq", "entry_hash", "signature"])
    return entry


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogCheck:
    """The result of a verification: `first_bad_seq` and `problem` (Spanish) when not ok."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


# (seq, entry_hash, signature, key_id) of the entry before a chunk.
Previous = tuple[int, str, str, str]
_GENESIS: Previous = (0, GENESIS_HASH, "", "")


def _signature_ok(verifier: signing.Verifier, key_id: str, entry_hash: str, signature: str) -> bool:
    return verifier.verify(key_id=key_id, data=entry_hash.encode("ascii"), signature=signature)


def _forged(seq: int, key_id: str, verifier: signing.Verifier) -> tuple[int, str]:
    if key_id not in verifier.keys:
        return seq, (
            f"La firma de la entrada n.º {seq} no es válida: la clave {key_id or '(ninguna)'} "
            "no es de la plataforma."
        )
    return seq, (
        f"La firma de la entrada n.º {seq} no es válida: la entrada fue alterada o firmada "
        "sin la clave de la plataforma."
    )


def _chunk_first_bad(
    rows: Sequence[Sequence[Any]], previous: Previous, verifier: signing.Verifier
) -> tuple[int, str] | None:
    """The first bad entry of a chunk (seq, Spanish problem), or None when all are sound."""
    prev_seq, prev_hash, prev_signature, _kid = previous
    structural: tuple[int, str] | None = None
    sound = 0  # rows before the first structural problem
    for row in rows:
        seq = row[_SEQ]
        if seq != prev_seq + 1:
            structural = (prev_seq + 1, _missing(prev_seq + 1, seq))
            break
        if row[_PREV] != prev_hash:
            structural = (
                seq,
                f"La entrada n.º {seq} no enlaza con la n.º {prev_seq}: su hash anterior no "
                "coincide (entradas reordenadas o reemplazadas).",
            )
            break
        recomputed = entry_hash_compute(
            prev_hash=prev_hash, prev_signature=prev_signature, values=row[:_PREV]
        )
        if recomputed != row[_HASH]:
            structural = (
                seq,
                f"La entrada n.º {seq} fue alterada: su contenido ya no corresponde a su hash.",
            )
            break
        prev_seq, prev_hash, prev_signature = seq, row[_HASH], row[_SIG]
        sound += 1
    # One valid signature on the last sound row vouches for every sound row before it; when
    # it fails, look for the first forged one (a forged signature also breaks the next hash).
    if sound:
        last = rows[sound - 1]
        if not _signature_ok(verifier, last[_KEY_ID], last[_HASH], last[_SIG]):
            for row in rows[:sound]:
                if not _signature_ok(verifier, row[_KEY_ID], row[_HASH], row[_SIG]):
                    return _forged(row[_SEQ], row[_KEY_ID], verifier)
    return structural


def _previous_of(row: Sequence[Any]) -> Previous:
    return (row[_SEQ], row[_HASH], row[_SIG], row[_KEY_ID])


RangeResult = tuple[tuple[int, str] | None, int, Previous]


def _check_range(lo: int, hi: int, verifier: signing.Verifier, batch: int) -> RangeResult:
    """Check the entries with seq lo..hi (reading entry lo-1 for the link into them):
    (first bad (seq, problem) or None, entries found sound, the last of them)."""
    rows = (
        MessageLogEntry.objects.filter(seq__gte=max(lo - 1, 1), seq__lte=hi)
        .order_by("seq")
        .values_list(*_VERIFY_FIELDS)
        .iterator(chunk_size=batch)
    )
    previous = _GENESIS
    if lo > 1:
        first = next(rows, None)
        if first is None or first[_SEQ] != lo - 1:
            # The chunk before reports the missing entry lo-1 too; this keeps the seq right.
            return (lo - 1, _missing(lo - 1, None)), 0, previous
        previous = _previous_of(first)
    checked = 0
    while chunk := list(islice(rows, batch)):
        bad = _chunk_first_bad(chunk, previous, verifier)
        if bad:
            return bad, checked, previous
        checked += len(chunk)
        previous = _previous_of(chunk[-1])
    if previous[0] != hi:
        return (previous[0] + 1, _missing(previous[0] + 1, None)), checked, previous
    return None, checked, previous


def _missing(seq: int, found: int | None) -> str:
    if found is None:
        return f"Falta la entrada n.º {seq}: fue borrada."
    return f"Falta la entrada n.º {seq}: después de la n.º {seq - 1} viene la n.º {found}."


_WORKER_VERIFIER: signing.Verifier | None = None


def _worker_init(keys: dict[str, bytes]) -> None:
    global _WORKER_VERIFIER
    _WORKER_VERIFIER = signing.Verifier(keys)


def _worker_range(lo: int, hi: int, batch: int) -> RangeResult:
    assert _WORKER_VERIFIER is not None
    return _check_range(lo, hi, _WORKER_VERIFIER, batch)


def _ranges(upto: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + size - 1, upto)) for lo in range(1, upto + 1, size)]


def _walk(
    upto: int,
    keys: dict[str, bytes],
    workers: int,
    batch: int,
    progress: Callable[[int], None] | None,
) -> tuple[int, Previous, tuple[int, str] | None]:
    """Check entries 1..upto in seq ranges, in this process or in `workers` forked processes
    that each read their own range (sending rows between processes costs more than checking
    them). Results are taken in seq order, so the first bad entry found is the first one."""
    checked, previous = 0, _GENESIS
    if workers <= 1:
        verifier = signing.Verifier(keys)
        results: Iterable[RangeResult] = (
            _check_range(lo, hi, verifier, batch) for lo, hi in _ranges(upto, RANGE)
        )
        for bad, count, last in results:
            checked += count
            if bad:
                return checked, previous, bad
            previous = last
            if progress:
                progress(checked)
        return checked, previous, None
    # Forked workers must not share this process's database connection: close it (reopened
    # on next use); the workers open their own.
    connections.close_all()
    context = get_context("fork")
    with ProcessPoolExecutor(workers, context, initializer=_worker_init, initargs=(keys,)) as pool:
        futures = [pool.submit(_worker_range, lo, hi, batch) for lo, hi in _ranges(upto, RANGE)]
        try:
            for future in futures:
                bad, count, last = future.result()
                checked += count
                if bad:
                    return checked, previous, bad
                previous = last
                if progress:
                    progress(checked)
        finally:
            for future in futures:
                future.cancel()
    return checked, previous, None


def message_log_verify(
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    batch: int = BATCH,
) -> LogCheck:
    """Check the whole log: seq without gaps (a missing entry), each prev_hash the entry
    before's hash (reordered), each hash recomputed (altered), the signatures (forged), and
    the head at the last entry (deleted tail). Names the first bad seq. Entries appended while
    it runs are left for the next run. `workers`: processes checking chunks (default: one per
    CPU for logs of PARALLEL_FROM entries or more, else none)."""
    head = MessageLogHead.objects.filter(pk=1).values_list("seq", "entry_hash").first()
    head_seq, head_hash = head if head else (0, GENESIS_HASH)
    # Entries after the head are being appended now (head and entry commit together).
    found = MessageLogEntry.objects.filter(seq__lte=head_seq) if head else MessageLogEntry.objects
    upto = found.order_by("-seq").values_list("seq", flat=True).first() or 0
    if workers is None:
        workers = (os.cpu_count() or 1) if upto >= PARALLEL_FROM else 0
    if connection.in_atomic_block:
        workers = 0  # forked workers would not see this transaction's rows
    checked, last_entry, bad = _walk(upto, signing.verification_keys(), workers, batch, progress)
    if bad:
        # The walk is in seq order: every entry before the first bad one is present and sound.
        return LogCheck(ok=False, checked=bad[0] - 1, first_bad_seq=bad[0], problem=bad[1])
    last_seq, last_hash = last_entry[0], last_entry[1]
    if head is None:
        if last_seq == 0:
            return LogCheck(ok=True, checked=0)
        return LogCheck(
            ok=False,
            checked=checked,
            first_bad_seq=last_seq + 1,
            problem="Falta la cabecera del registro: no se puede saber si borraron entradas "
            "al final.",
        )
    if last_seq < head_seq:
        return LogCheck(
            ok=False,
            checked=checked,
            first_bad_seq=last_seq + 1,
            problem=f"Faltan entradas al final: el registro llega hasta la n.º {head_seq} "
            f"pero la última que queda es la n.º {last_seq}. La primera que falta es la "
            f"n.º {last_seq + 1}.",
        )
    if last_hash != head_hash:
        return LogCheck(
            ok=False,
            checked=checked,
            first_bad_seq=last_seq,
            problem=f"La última entrada (n.º {last_seq}) no es la que la cabecera del "
            "registro recuerda: fue reemplazada.",
        )
    return LogCheck(ok=True, checked=checked)
