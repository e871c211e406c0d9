"""Does search put the procedure a citizen wants first? Measured on SQLite and PostgreSQL.

Runs the development set (bench/search_queries.json) and the holdout set
(bench/search_queries_holdout.json, never tuned on: it estimates what an unseen set gives) through
`ventanilla.search.selectors.search(q=..., per_page=10)` on each backend, and prints Hit@1, Hit@3
and MRR@10 per backend and set, then every query whose first result is not an expected one.

A result counts when it is a procedure whose number (gob.pe page id, stable across loads) is in the
entry's `expected`; for institution-seeking entries (`"institution": "<slug>"`) that institution's
own directory page counts too.

Each backend gets a new database (SQLite file under bench/.cache/, PostgreSQL database
`ventanilla_bench_search`), then migrate, load_reference_data, search_rebuild, each in a subprocess
with its own environment; the queries run in another one, after re-seeding the synonym table from
ventanilla/search/reference/synonyms.csv (so an edit to the list is measured at once). --reuse
keeps the database when it already holds the data. Exits non-zero only when
something fails, never on low scores.

    .venv/bin/python bench/search_relevance.py                  # both backends, both sets
    .venv/bin/python bench/search_relevance.py --backend sqlite --reuse
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PY = str(ROOT / ".venv" / "bin" / "python")
SETS = {
    "dev": ROOT / "bench" / "search_queries.json",
    "holdout": ROOT / "bench" / "search_queries_holdout.json",
}
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ventanilla_bench_search"
K = 10
PROCEDURE_URL = re.compile(r"/tramites/(\d+)-")


class BenchError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"search_relevance: ERROR: {message}")


# --- the worker: runs inside django.setup() in a subprocess --------------------------------------


def worker_probe() -> dict[str, int]:
    from ventanilla.catalogue.models import Procedure
    from ventanilla.search.models import SearchDocument

    return {
        "procedures": Procedure.objects.count(),
        "documents": SearchDocument.objects.count(),
    }


def synonyms_reseed() -> None:
    """Measure the curated list as it is in the checkout: seeding only fills an empty table."""
    from django.db import transaction

    from ventanilla.search.models import Synonym
    from ventanilla.search.services import synonym_seed

    with transaction.atomic():
        Synonym.objects.all().delete()
        synonym_seed()


def worker_run(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per entry: the top-K hits (type, procedure number, institution match, title), time."""
    from django.urls import reverse

    from ventanilla.search.selectors import search

    synonyms_reseed()
    search(q="dni", per_page=K)  # warm caches and connections before timing
    out = []
    for entry in entries:
        inst_url = (
            reverse("institutions:detail", kwargs={"slug": entry["institution"]})
            if entry.get("institution")
            else None
        )
        started = time.perf_counter()
        res = search(q=entry["q"], per_page=K)
        elapsed = (time.perf_counter() - started) * 1000
        hits = []
        for hit in res.hits[:K]:
            match = PROCEDURE_URL.search(hit.url or "")
            number = int(match.group(1)) if hit.type == "procedure" and match else None
            hits.append(
                {
                    "type": hit.type,
                    "number": number,
                    "is_institution": bool(
                        inst_url and hit.type == "institution" and hit.url == inst_url
                    ),
                    "title": str(hit.title),
                    "code": hit.code or "",
                }
            )
        out.append(
            {
                "hits": hits,
                "ms": elapsed,
                "problem": str(res.query.problem or ""),
                "corrected": str(res.corrected or ""),
                "relaxed": bool(res.relaxed),
            }
        )
    return out


def worker_main(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if mode == "probe":
        print(json.dumps(worker_probe()))
    else:
        entries = json.loads(sys.stdin.read())
        print(json.dumps(worker_run(entries)))


# --- the driver -----------------------------------------------------------------------------------


def backend_env(backend: str) -> dict[str, str]:
    var_dir = CACHE / f"search-relevance-{backend}"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "VENTANILLA_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
    }
    if backend == "postgres":
        env["VENTANILLA_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        env["VENTANILLA_DATABASE_URL"] = f"sqlite:///{var_dir / 'ventanilla.sqlite3'}"
    return env


def sqlite_file(env: dict[str, str]) -> Path:
    return Path(env["VENTANILLA_DATABASE_URL"].removeprefix("sqlite:///"))


def postgres_ensure_database(*, fresh: bool) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{PG_DB}"')
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL at {PG_SERVER} is not reachable: {exc}") from exc


def run(
    argv: list[str], env: dict[str, str], *, stdin: str | None = None, quiet: bool = False
) -> str:
    proc = subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if quiet else None,
    )
    if proc.returncode != 0:
        detail = (proc.stderr or "")[-2000:] if quiet else ""
        raise BenchError(f"{' '.join(argv[1:3])} failed (exit {proc.returncode})\n{detail}")
    return proc.stdout


def probe(env: dict[str, str]) -> dict[str, int] | None:
    try:
        out = run([PY, __file__, "--worker", "probe"], env, quiet=True)
    except BenchError:
        return None  # not migrated yet
    return json.loads(out.strip().splitlines()[-1])


def manage(backend: str, env: dict[str, str], *command: str) -> None:
    started = time.perf_counter()
    print(f"[{backend}] manage.py {command[0]} …", file=sys.stderr, flush=True)
    run([PY, "manage.py", *command], env)
    elapsed = time.perf_counter() - started
    print(f"[{backend}] manage.py {command[0]} done in {elapsed:.1f} s", file=sys.stderr)


def prepare(backend: str, env: dict[str, str], *, reuse: bool) -> None:
    """Without --reuse: a new empty database, then migrate, load, rebuild. With --reuse: migrate
    (cheap, and the schema may have moved), load the data only when no procedures are there and
    rebuild the index only when it holds fewer documents than procedures (a half-done rebuild)."""
    if backend == "postgres":
        postgres_ensure_database(fresh=not reuse)
    elif not reuse:
        sqlite_file(env).unlink(missing_ok=True)
    manage(backend, env, "migrate", "--noinput", "-v0")
    counts = probe(env) if reuse else None
    if counts and counts["procedures"]:
        print(f"[{backend}] reusing {counts['procedures']} procedures", file=sys.stderr)
    else:
        manage(backend, env, "load_reference_data")
    if counts and counts["documents"] >= counts["procedures"] > 0:
        print(f"[{backend}] reusing {counts['documents']} search documents", file=sys.stderr)
    else:
        manage(backend, env, "search_rebuild")


def first_rank(entry: dict[str, Any], result: dict[str, Any]) -> int | None:
    expected = set(entry["expected"])
    for rank, hit in enumerate(result["hits"], start=1):
        if (hit["type"] == "procedure" and hit["number"] in expected) or hit["is_institution"]:
            return rank
    return None


def score(entries: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    ranks = [first_rank(e, r) for e, r in zip(entries, results, strict=True)]
    n = len(entries)
    ms = [r["ms"] for r in results]
    return {
        "queries": n,
        "hit1": sum(1 for r in ranks if r == 1) / n,
        "hit3": sum(1 for r in ranks if r is not None and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
        "p50_ms": statistics.median(ms),
        "ranks": ranks,
    }


def describe(hit: dict[str, Any] | None) -> str:
    if hit is None:
        return "(sin resultados)"
    label = hit["code"] or (str(hit["number"]) if hit["number"] else "")
    return f"[{hit['type']}{' ' + label if label else ''}] {hit['title'][:70]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--set", choices=["dev", "holdout", "both"], default="both")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="skip migrate/load/rebuild when the database already holds the data",
    )
    parser.add_argument("--json", type=Path, help="also write the figures and misses to this file")
    parser.add_argument("--worker", choices=["probe", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    set_names = ["dev", "holdout"] if args.set == "both" else [args.set]
    sets = {}
    for name in set_names:
        if not SETS[name].exists():
            raise BenchError(f"{SETS[name]} is missing")
        sets[name] = json.loads(SETS[name].read_text(encoding="utf-8"))

    rows: list[tuple[str, str, dict[str, Any]]] = []
    misses: list[tuple[Any, ...]] = []
    report: dict[str, Any] = {}
    for backend in backends:
        env = backend_env(backend)
        prepare(backend, env, reuse=args.reuse)
        for name, entries in sets.items():
            out = run([PY, __file__, "--worker", "run"], env, stdin=json.dumps(entries))
            results = json.loads(out.strip().splitlines()[-1])
            s = score(entries, results)
            rows.append((backend, name, s))
            report[f"{backend}/{name}"] = {k: v for k, v in s.items() if k != "ranks"}
            for entry, result, rank in zip(entries, results, s["ranks"], strict=True):
                if rank != 1:
                    top = result["hits"][0] if result["hits"] else None
                    misses.append((backend, name, entry, rank, describe(top), result))

    print()
    print(
        f"{'backend':<9} {'set':<8} {'queries':>7} {'Hit@1':>6} {'Hit@3':>6} "
        f"{'MRR@10':>7} {'p50 ms':>7}"
    )
    for backend, name, s in rows:
        print(
            f"{backend:<9} {name:<8} {s['queries']:>7} {s['hit1']:>6.3f} {s['hit3']:>6.3f} "
            f"{s['mrr']:>7.3f} {s['p50_ms']:>7.1f}"
        )
    print()
    print("Hit@3 by kind of query (hits/queries):")
    for backend, name, s in rows:
        by_note: dict[str, list[int]] = {}
        for entry, rank in zip(sets[name], s["ranks"], strict=True):
            tally = by_note.setdefault(entry.get("note", "-"), [0, 0])
            tally[0] += rank is not None and rank <= 3
            tally[1] += 1
        parts = [f"{note} {h}/{n}" for note, (h, n) in sorted(by_note.items())]
        print(f"  {backend}/{name:<8} " + ", ".join(parts))
    print()
    print("Misses (expected not first): backend/set  rank  query → what came first")
    for backend, name, entry, rank, top, result in misses:
        flags = []
        if result["corrected"]:
            flags.append(f"corregido: {result['corrected']}")
        if result["relaxed"]:
            flags.append("relajado")
        if result["problem"]:
            flags.append(f"problema: {result['problem']}")
        rank_txt = f"#{rank}" if rank else "—"
        extra = f"  ({'; '.join(flags)})" if flags else ""
        print(
            f"  {backend}/{name:<8} {rank_txt:>3}  {entry['q']!r} [{entry.get('note', '')}]"
            f" → {top}{extra}"
        )
    if args.json:
        report["misses"] = [
            {"backend": b, "set": n, "q": e["q"], "rank": r, "first": t}
            for b, n, e, r, t, _ in misses
        ]
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
