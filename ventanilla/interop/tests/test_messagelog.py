"""The message log: appends chain and sign; verification names the first altered, missing,
reordered or forged entry; a process killed mid-append leaves the chain whole."""

import base64
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from ventanilla.interop.models import MessageLogEntry, MessageLogHead
from ventanilla.interop.services import messagelog, signing
from ventanilla.interop.services.messagelog import (
    CANONICAL_FIELDS,
    GENESIS_HASH,
    entry_hash_compute,
    message_log_append,
    message_log_verify,
)

ROOT = Path(__file__).resolve().parents[3]
CHAIN = 20


def _append(n: int, *, start: int = 0) -> list[MessageLogEntry]:
    return [
        message_log_append(
            x_road_id=f"id-{start + i}",
            client="PE/GOB/20131379944/ventanilla",
            service="PE/GOB/20295613620/padron/personas",
            method="POST",
            path="/read",
            user_id="usuario:gestor.mtc",
            subject="DNI:45678912",
            issue="MTC-2026-000123",
            status=200,
            outcome="ok",
            request_hash="rq",
            response_hash="rs",
            duration_ms=12,
        )
        for i in range(n)
    ]


# Verification in this process (inside the test's transaction) and in 2 forked worker
# processes (which see committed rows only: a transactional database).
WORKERS = [
    pytest.param(0, id="serial", marks=pytest.mark.django_db),
    pytest.param(2, id="parallel", marks=pytest.mark.django_db(transaction=True)),
]


@pytest.fixture
def small_ranges(request, monkeypatch):
    """Ranges of 7 entries and signature checkpoints every 3, so a chain of 20 crosses
    every boundary the verifier has; with workers=2, proof that worker processes ran."""
    monkeypatch.setattr(messagelog, "RANGE", 7)
    pools = []
    real = messagelog.ProcessPoolExecutor

    def counted(*args, **kwargs):
        pools.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(messagelog, "ProcessPoolExecutor", counted)
    yield 3
    if request.node.callspec.params.get("workers"):
        assert pools, "the parallel path was not taken"


def _verify(workers: int, batch: int):
    return message_log_verify(workers=workers, batch=batch)


def test_append_chains_each_entry_to_the_one_before_and_signs_it(db):
    first, second = _append(2)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    values = [getattr(second, f) for f in CANONICAL_FIELDS]
    assert second.entry_hash == entry_hash_compute(
        prev_hash=first.entry_hash, prev_signature=first.signature, values=values
    )
    verifier = signing.Verifier(signing.verification_keys())
    assert verifier.verify(
        key_id=second.key_id, data=second.entry_hash.encode(), signature=second.signature
    )
    assert second.key_id == signing.platform_key().key_id
    head = MessageLogHead.objects.get()
    assert (head.seq, head.entry_hash) == (2, second.entry_hash)
    stored = MessageLogEntry.objects.get(seq=2)
    assert stored.entry_hash == second.entry_hash  # what the database gives back hashes alike


def test_append_takes_the_previous_signature_from_the_head_not_the_entry(db):
    _first, second = _append(2)
    head = MessageLogHead.objects.get()
    assert head.signature == second.signature
    with CaptureQueriesContext(connection) as queries:
        (third,) = _append(1, start=2)
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1  # the head, locked: no read of entry 2
    assert third.entry_hash == entry_hash_compute(
        prev_hash=second.entry_hash,
        prev_signature=second.signature,
        values=[getattr(third, f) for f in CANONICAL_FIELDS],
    )
    assert MessageLogHead.objects.get().signature == third.signature


def test_a_head_without_the_signature_reads_it_from_the_last_entry(db):
    # A head written before it kept the signature (or by a bulk import) still chains right.
    _first, second = _append(2)
    MessageLogHead.objects.update(signature="")
    (third,) = _append(1, start=2)
    assert third.entry_hash == entry_hash_compute(
        prev_hash=second.entry_hash,
        prev_signature=second.signature,
        values=[getattr(third, f) for f in CANONICAL_FIELDS],
    )
    assert MessageLogHead.objects.get().signature == third.signature
    assert message_log_verify().ok


def test_append_cuts_long_and_odd_values_to_their_columns(db):
    entry = message_log_append(
        x_road_id="x" * 500, client="PE\x00/GOB" + "a" * 400, service="s", method="POST",
        path="/" + "p" * 2000, status=200, outcome="ok", request_hash="h",
    )  # fmt: skip
    stored = MessageLogEntry.objects.get(seq=entry.seq)
    assert len(stored.x_road_id) == 64
    assert len(stored.path) == 1000
    assert "\x00" not in stored.client
    assert message_log_verify().ok


def test_append_refuses_unknown_fields(db):
    with pytest.raises(TypeError):
        message_log_append(x_road_id="a", whatever="b")
    assert not MessageLogEntry.objects.exists()


@pytest.mark.parametrize("workers", WORKERS)
def test_verify_passes_a_whole_chain(small_ranges, workers):
    _append(CHAIN)
    seen = []
    check = message_log_verify(workers=workers, batch=small_ranges, progress=seen.append)
    assert check.ok, check.problem
    assert check.checked == CHAIN
    assert seen[-1] == CHAIN


def test_verify_an_empty_log(db):
    assert message_log_verify() == messagelog.LogCheck(ok=True, checked=0)


@pytest.mark.parametrize("seq", [1, 7, 8, 13, CHAIN])
@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_a_tampered_entry(small_ranges, workers, seq):
    _append(CHAIN)
    MessageLogEntry.objects.filter(seq=seq).update(subject="DNI:00000000")
    check = _verify(workers, small_ranges)
    assert not check.ok
    assert check.first_bad_seq == seq
    assert f"n.º {seq} fue alterada" in check.problem
    assert check.checked == seq - 1


@pytest.mark.parametrize("seq", [1, 7, 8, 12])
@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_a_deleted_middle_entry(small_ranges, workers, seq):
    _append(CHAIN)
    MessageLogEntry.objects.filter(seq=seq).delete()
    check = _verify(workers, small_ranges)
    assert (check.ok, check.first_bad_seq) == (False, seq)
    assert f"Falta la entrada n.º {seq}" in check.problem


@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_deleted_last_entries(small_ranges, workers):
    _append(CHAIN)
    MessageLogEntry.objects.filter(seq__gte=CHAIN - 1).delete()
    check = _verify(workers, small_ranges)
    assert (check.ok, check.first_bad_seq) == (False, CHAIN - 1)
    assert "Faltan entradas al final" in check.problem


def _swap(a: int, b: int) -> None:
    MessageLogEntry.objects.filter(seq=a).update(seq=-1)
    MessageLogEntry.objects.filter(seq=b).update(seq=a)
    MessageLogEntry.objects.filter(seq=-1).update(seq=b)


@pytest.mark.parametrize(("a", "b"), [(5, 6), (7, 8), (3, 15), (CHAIN - 1, CHAIN)])
@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_swapped_entries(small_ranges, workers, a, b):
    _append(CHAIN)
    _swap(a, b)
    check = _verify(workers, small_ranges)
    assert (check.ok, check.first_bad_seq) == (False, a)
    assert f"La entrada n.º {a} no enlaza" in check.problem


def _attacker_signature(entry_hash: str) -> str:
    return base64.b64encode(Ed25519PrivateKey.generate().sign(entry_hash.encode())).decode()


@pytest.mark.parametrize("seq", [1, 5, 8, CHAIN])
@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_a_forged_signature(small_ranges, workers, seq):
    """An entry's signature replaced by one made with another key."""
    entries = _append(CHAIN)
    forged = _attacker_signature(entries[seq - 1].entry_hash)
    MessageLogEntry.objects.filter(seq=seq).update(signature=forged)
    check = _verify(workers, small_ranges)
    assert (check.ok, check.first_bad_seq) == (False, seq)
    assert f"La firma de la entrada n.º {seq} no es válida" in check.problem


@pytest.mark.parametrize("seq", [2, 9, CHAIN])
@pytest.mark.parametrize("workers", WORKERS)
def test_verify_names_the_first_entry_of_a_rewritten_chain(small_ranges, workers, seq):
    """The attacker alters an entry and recomputes every hash after it (and the head),
    signing with their own key: every link holds, the signatures do not."""
    _append(CHAIN)
    MessageLogEntry.objects.filter(seq=seq).update(subject="DNI:00000000")
    prev = MessageLogEntry.objects.filter(seq=seq - 1).first()
    prev_hash = prev.entry_hash if prev else GENESIS_HASH
    prev_signature = prev.signature if prev else ""
    for entry in MessageLogEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev_hash
        entry.entry_hash = entry_hash_compute(
            prev_hash=prev_hash,
            prev_signature=prev_signature,
            values=[getattr(entry, f) for f in CANONICAL_FIELDS],
        )
        entry.signature = _attacker_signature(entry.entry_hash)
        entry.save()
        prev_hash, prev_signature = entry.entry_hash, entry.signature
    MessageLogHead.objects.update(entry_hash=prev_hash)
    check = _verify(workers, small_ranges)
    assert (check.ok, check.first_bad_seq) == (False, seq)
    assert "firma" in check.problem


def test_verify_names_a_replaced_last_entry_the_head_remembers(db):
    entries = _append(3)
    MessageLogEntry.objects.filter(seq=3).delete()
    check = message_log_verify()
    assert (check.ok, check.first_bad_seq) == (False, 3)
    # Cut the tail and move the head back with it: no chain can tell (ADR 0012: anchoring).
    MessageLogHead.objects.update(seq=2, entry_hash=entries[1].entry_hash)
    assert message_log_verify().ok
    MessageLogHead.objects.update(entry_hash="f" * 64)
    check = message_log_verify()
    assert (check.ok, check.first_bad_seq) == (False, 2)


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_entries_signed_with_a_previous_key_verify_after_rotation(db, settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings.INTEROP_SIGNING_KEY = _pem(old)
    _append(4)
    settings.INTEROP_SIGNING_KEY = _pem(new)
    _append(4, start=4)
    assert MessageLogEntry.objects.values("key_id").distinct().count() == 2
    # Without the old key, its entries' signatures cannot be checked.
    check = message_log_verify(batch=2)
    assert (check.ok, check.first_bad_seq) == (False, 1)
    assert "no es de la plataforma" in check.problem
    public = old.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings.INTEROP_PREVIOUS_KEYS = [public.decode()]
    assert message_log_verify(batch=2).ok


def test_verify_message_log_command_says_whole_or_names_the_entry(db, capsys):
    _append(5)
    call_command("verify_message_log")
    out = capsys.readouterr().out
    assert "Registro de mensajes íntegro: 5 entradas verificadas" in out
    MessageLogEntry.objects.filter(seq=3).update(status=500)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_message_log")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "ROTO en la entrada n.º 3" in out
    assert "La entrada n.º 3 fue alterada" in out


def test_concurrent_appends_make_one_chain(transactional_db):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _append(8)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(MessageLogEntry.objects.values_list("seq", flat=True)) == list(range(1, 33))
    assert message_log_verify().ok


# The child appends one entry and dies inside the transaction, after the entry's INSERT and
# before the head moves and the transaction commits.
CHILD = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
sys.path.insert(0, os.getcwd())
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
from django.db.models.signals import post_save
from ventanilla.interop.models import MessageLogEntry
from ventanilla.interop.services.messagelog import message_log_append

def die(sender, instance, **kwargs):
    print("inside", instance.seq, flush=True)
    if sys.argv[2] == "exit":
        os._exit(3)
    time.sleep(60)  # killed from outside

post_save.connect(die, sender=MessageLogEntry)
message_log_append(x_road_id="child", client="c", service="s", method="POST", status=200,
                   outcome="ok", request_hash="h")
print("committed", flush=True)
"""


@pytest.mark.parametrize("how", ["sigkill", "exit"])
def test_a_process_killed_mid_append_leaves_the_chain_whole(transactional_db, how):
    _append(3)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, connection.settings_dict["NAME"], how],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.split() == ["inside", "4"], child.stderr.read() if child.stderr else ""
        if how == "sigkill":
            os.kill(child.pid, signal.SIGKILL)
        code = child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert code == (-signal.SIGKILL if how == "sigkill" else 3)
    assert MessageLogEntry.objects.count() == 3
    assert MessageLogHead.objects.get().seq == 3
    check = message_log_verify()
    assert check.ok
    assert check.checked == 3
    (after,) = _append(1, start=3)
    assert after.seq == 4
    assert message_log_verify() == messagelog.LogCheck(ok=True, checked=4)
