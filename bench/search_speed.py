"""How fast search answers at 100,000 made-up procedures, on both engines, beside the plain
queries it replaces — measured in one run on this machine.

For SQLite (a file under bench/.cache/) and PostgreSQL (database ventanilla_bench_speed), a
child process with that database's environment runs migrate → load_reference_data →
search_generate_corpus --count N → search_rebuild (timed), then the query mix: the development
queries of bench/search_queries.json, single common words, typos, 2–4 word queries, prefixes
and word windows of the corpus' own titles. Each query goes through
`ventanilla.search.selectors.search(q=..., per_page=20)` and, as the baseline, (a) a plain
LIKE '%word%' AND-of-words scan of catalogue_procedure.search_text ordered by popularity and
(b) a bare full-text query on the engine's own index (the folded words, ranked by the engine,
first 20). One untimed pass warms everything, then three timed passes; each figure is the
median over the passes. Prints backend | measure | p50 | p95 | p99 | ratio to LIKE and to bare
FTS, then where the time goes for the slowest queries (cProfile, the SQL statements and the
plan of the slowest one), and writes bench/results/search_speed-<date>.json.

    .venv/bin/python bench/search_speed.py                   # both engines, 100,000 generated
    .venv/bin/python bench/search_speed.py --reuse           # keep a corpus already loaded
    .venv/bin/python bench/search_speed.py --backends sqlite --count 20000

`--count` is the number of generated rows; the index also holds the ~33,000 real catalogue
pages, the institutions, topics and life events (the output says how many documents).
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from harness import Refused, busy_fraction  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
PG_DB = "ventanilla_bench_speed"
REDIS_URL = f"redis://{HOST}:6379/13"  # used when a Redis answers there
SQLITE_FILE = CACHE / "search_speed.sqlite3"
DEV_QUERIES = ROOT / "bench" / "search_queries.json"
GENERATED_NUMBER_BASE = 2_000_000  # search_generate_corpus numbers its rows from here
BUSY_LIMIT = 0.25
TARGET_P95_MS = 30.0

# ---- The tables and columns the baselines read: the one place that names them. ----------
PROCEDURE_TABLE = "catalogue_procedure"
PROCEDURE_TEXT = "search_text"  # accent-folded title, code, institution acronym and name
DOCUMENT_TABLE = "search_searchdocument"
SQLITE_FTS_TABLE = "search_fts"  # FTS5, external content over DOCUMENT_TABLE (rowid = id)
PG_VECTOR = "vector"  # tsvector column of DOCUMENT_TABLE ('simple' configuration, GIN index)
# ventanilla.search.indexing's function that moves the index generation, under which the
# engine caches per-query work (facet counts): called before each "search() new" query.
FORGET_PER_QUERY_CACHES = "index_changed"

SQL_LIKE = (
    f"SELECT id FROM {PROCEDURE_TABLE} WHERE is_published AND {{where}} "  # noqa: S608
    f"ORDER BY popularity DESC LIMIT 20"
)
SQL_FTS = {
    "sqlite": (
        f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s "  # noqa: S608
        f"ORDER BY rank LIMIT 20"
    ),
    "postgresql": (
        f"SELECT id FROM {DOCUMENT_TABLE} "  # noqa: S608
        f"WHERE {PG_VECTOR} @@ plainto_tsquery('simple', %s) "
        f"ORDER BY ts_rank({PG_VECTOR}, plainto_tsquery('simple', %s)) DESC LIMIT 20"
    ),
}

# ---- The query mix (besides the development set and the corpus' own word windows). -------


def _items(text: str, sep: str | None = None) -> list[str]:
    return [" ".join(item.split()) for item in text.split(sep) if item.strip()]


COMMON_WORDS = _items(
    """dni licencia certificado municipalidad partida brevete pasaporte sunat reniec essalud
 sis antecedentes multa papeleta ruc matrimonio nacimiento defuncion divorcio vehiculo
pension jubilacion beca colegio universidad salud vacuna trabajo empleo denuncia reclamo
impuesto predial arbitrios construccion edificacion funcionamiento transito migraciones visa
apostilla registro sunarp propiedad terreno agua bono afp onp discapacidad conadis pnp
inscripcion constancia duplicado"""
)
TYPOS = _items(
    """antesedentes dupicado lisencia sertificado munisipalidad pasapote brebete matrimono
nasimiento partdia multas_de_transto liscencia sertificado_de_estudios reniek sunad esalud
inpuesto constansia divorsio jubilasion vacunasion discapasidad predal consulta_ruk
liencia_de_conducir certifcado_de_antecedentes renobar_dni duplicao_de_dni pago_de_papelta
licensia_de_funcionamiento tramite_de_pasaport"""
)
PHRASES = _items(
    """duplicado dni|sacar brevete|licencia de funcionamiento|certificado de antecedentes
penales|partida de nacimiento|pagar papeleta|renovar pasaporte|inscribir matrimonio civil|
consultar ruc|afiliarse al sis|pension 65|bono yanapay|certificado de discapacidad|
licencia de edificacion|constancia de posesion|multa electoral|cambio de domicilio dni|
certificado de estudios|titulo universitario|registro de marca|vigencia de poder|
antecedentes policiales en linea|carnet de extranjeria|permiso de trabajo menores|
denuncia por violencia|reclamo servicio de agua|impuesto vehicular|impuesto predial lima|
licencia de conducir categoria a2|examen de manejo|revision tecnica vehicular|soat|
tarjeta de propiedad vehicular|inscripcion de nacimiento|acta de defuncion copia|
cita essalud|seguro de salud independiente|subsidio por maternidad|cts retiro|
fondo de pensiones afp|jubilacion onp requisitos|beca 18|matricula colegio publico|
convalidacion de titulo extranjero|apostilla de documentos|legalizacion de firma|
licencia para anuncio publicitario|certificado de defensa civil|itse|
autorizacion sanitaria|registro sanitario de alimentos|permiso de pesca|
certificado de origen exportacion|importar vehiculo usado|declaracion jurada de impuesto
a la renta|devolucion de impuestos|fraccionamiento de deuda tributaria|
libro de reclamaciones|mesa de partes virtual|consulta de expediente|
municipalidad de miraflores licencia|gobierno regional cusco|ministerio de salud|
hospital citas en linea|vacuna contra covid|certificado de vacunacion|
partida registral sunarp|busqueda de predios|titulo de propiedad rural|
cofopri titulacion|bono familiar habitacional|techo propio|mi vivienda credito""",
    "|",
)
PREFIXES = _items(
    """lic certif munic dupl antec pasap brev matri constan inscrip
regist pens jubil becas vacun denun reclam impues predi vehic"""
)


def query_mix(corpus_titles: list[str], seed: int) -> list[tuple[str, str]]:
    """(kind of query, query) pairs, at least 200, the same for a seed and a corpus."""
    rng = random.Random(seed)  # reproducible made-up queries
    mix: list[tuple[str, str]] = []
    if DEV_QUERIES.exists():
        for item in json.loads(DEV_QUERIES.read_text(encoding="utf-8")):
            q = item.get("q") or item.get("query") if isinstance(item, dict) else item
            if isinstance(q, str) and q.strip():
                mix.append(("dev set", q))
    mix += [("common word", w) for w in COMMON_WORDS]
    mix += [("typo", w.replace("_", " ")) for w in TYPOS]
    mix += [("2–4 words", p) for p in PHRASES]
    mix += [("prefix", p) for p in PREFIXES]
    stop = {"de", "del", "la", "las", "el", "los", "en", "y", "a", "para", "por", "con", "al"}
    for title in rng.sample(corpus_titles, min(60, len(corpus_titles))):
        words = [w for w in title.lower().split() if w not in stop]
        if len(words) >= 2:
            n = rng.randint(2, min(4, len(words)))
            start = rng.randint(0, len(words) - n)
            mix.append(("corpus words", " ".join(words[start : start + n])))
    return mix


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---- The child: one backend, in its own environment --------------------------------------


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from ventanilla.catalogue.models import Procedure
    from ventanilla.core.text import fold_words
    from ventanilla.search import indexing
    from ventanilla.search.models import SearchDocument
    from ventanilla.search.selectors import search

    forget_index = getattr(indexing, FORGET_PER_QUERY_CACHES, None)

    vendor = connection.vendor
    state_file = CACHE / f"search_speed-{args.worker}.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    quiet = StringIO()

    def generated() -> int:
        return Procedure.objects.filter(number__gte=GENERATED_NUMBER_BASE).count()

    call_command("migrate", interactive=False, verbosity=0)
    reuse = args.reuse and generated() == args.count and state.get("count") == args.count
    timings: dict[str, float] = {}
    if not reuse:
        started = time.monotonic()
        if generated() > 0:
            log("deleting the previous generated corpus…")
            call_command("search_generate_corpus", delete=True, stdout=quiet)
        log("loading the reference data (load_reference_data)…")
        call_command("load_reference_data", stdout=quiet, stderr=quiet)
        timings["load_reference_data_s"] = time.monotonic() - started
        log(f"generating {args.count:,} procedures (search_generate_corpus)…")
        started = time.monotonic()
        call_command("search_generate_corpus", count=args.count, seed=args.seed, stdout=quiet)
        timings["generate_s"] = time.monotonic() - started
    documents = SearchDocument.objects.count()
    if not reuse or args.rebuild or documents < args.count:
        log("building the index (search_rebuild, timed)…")
        started = time.monotonic()
        call_command("search_rebuild", stdout=quiet, stderr=quiet)
        timings["build_s"] = time.monotonic() - started
        log(f"  built in {timings['build_s']:.1f} s")
        # As a deployment does after a bulk load: the planner needs statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        state = {"count": args.count, "build_s": timings["build_s"]}
        state_file.write_text(json.dumps(state))
    else:
        log("reusing the loaded corpus and its index (--reuse)")
    documents = SearchDocument.objects.count()
    by_kind = dict(SearchDocument.objects.values_list("kind").annotate(n=Count("id")))
    titles = list(
        Procedure.objects.filter(number__gte=GENERATED_NUMBER_BASE)
        .order_by("number")
        .values_list("title", flat=True)[:20000]
    )
    mix = query_mix(titles, args.seed)
    log(f"{len(mix)} queries; warming up…")

    def like(q: str) -> None:
        words = fold_words(q).split()[:8]
        if not words:
            return
        where = " AND ".join(f"{PROCEDURE_TEXT} LIKE %s" for _w in words)
        with connection.cursor() as cursor:
            cursor.execute(SQL_LIKE.format(where=where), [f"%{w}%" for w in words])
            cursor.fetchall()

    def fts(q: str) -> None:
        words = fold_words(q).split()[:8]
        if not words:
            return
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute(SQL_FTS[vendor], [" ".join(f'"{w}"' for w in words)])
            else:
                cursor.execute(SQL_FTS[vendor], [" ".join(words)] * 2)
            cursor.fetchall()

    def engine(q: str) -> None:
        search(q=q, per_page=20)

    def forget() -> None:
        """What the engine caches per query (facet counts) is forgotten: the query is seen
        for the first time since the index last changed."""
        if forget_index is not None:
            forget_index()

    measures = {"search()": engine, "LIKE scan": like, "bare FTS": fts}
    if forget_index is not None:
        measures["search() new"] = engine

    def warm(names: list[str]) -> None:
        for name in names:
            for _kind, q in mix:
                if name == "search() new":
                    forget()
                measures[name](q)

    # Warm: caches, pages of the database, compiled code; the plain search() last, so that
    # its per-query caches are those of the index generation the repeat pass will see.
    warm([*reversed(measures)])
    busy_before = quiet_enough(args)
    per_pass: dict[str, list[list[float]]] = {name: [] for name in measures}
    # "search()" first in each pass (its caches warm), "search() new" last.
    for _pass in range(args.passes):
        for name, run in measures.items():
            times = []
            for _kind, q in mix:
                if name == "search() new":
                    forget()
                t0 = time.perf_counter()
                run(q)
                times.append((time.perf_counter() - t0) * 1000)
            per_pass[name].append(times)
        if "search() new" in measures:
            warm(["search()"])  # "new" moved the generation: the repeat pass needs its caches
    busy_after = busy_fraction(2.0)
    figures = {}
    for name, passes in per_pass.items():
        figures[name] = {
            f"p{p}": statistics.median(percentile(times, p) for times in passes)
            for p in (50, 95, 99)
        }
        figures[name]["mean"] = statistics.median(statistics.fmean(t) for t in passes)
    slow_measure = "search() new" if "search() new" in per_pass else "search()"
    engine_per_query = [
        statistics.median(passes[i] for passes in per_pass[slow_measure]) for i in range(len(mix))
    ]
    by_kind_ms: dict[str, list[float]] = {}
    for (kind, _q), ms in zip(mix, engine_per_query, strict=True):
        by_kind_ms.setdefault(kind, []).append(ms)
    slowest = sorted(zip(engine_per_query, mix, strict=True), reverse=True)[: args.profile]
    diagnosis = [diagnose(q, ms, vendor, search, forget) for ms, (_k, q) in slowest]
    result = {
        "backend": args.worker,
        "vendor": vendor,
        "generated": args.count,
        "documents": documents,
        "documents_by_kind": by_kind,
        "queries": len(mix),
        "query_kinds": {k: len(v) for k, v in by_kind_ms.items()},
        "slow_measure": slow_measure,
        "engine_p95_by_query_kind": {k: percentile(v, 95) for k, v in by_kind_ms.items()},
        "build_s": timings.get("build_s", state.get("build_s")),
        "build_reused": "build_s" not in timings,
        "timings": timings,
        "figures": figures,
        "cache": str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1],
        "busy_before": busy_before,
        "busy_after": busy_after,
        "diagnosis": diagnosis,
    }
    (CACHE / f"search_speed-{args.worker}-result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1)
    )


def quiet_enough(args: argparse.Namespace) -> float:
    """The machine's busy fraction while this bench idles; waits a little for a quiet moment,
    and refuses under --strict when it never comes."""
    seen = []
    for attempt in range(5):
        busy = busy_fraction(2.0)
        seen.append(busy)
        if busy <= BUSY_LIMIT:
            return busy
        if attempt < 4:
            log(f"machine {busy:.0%} busy from other processes; waiting 10 s…")
            time.sleep(10)
    if args.strict:
        raise Refused(
            f"other processes keep the CPU busy ({', '.join(f'{b:.0%}' for b in seen)}); "
            "figures would not be this machine's. Try later, or drop --strict to print them "
            "with the busy fraction beside them."
        )
    return min(seen)


def diagnose(q: str, ms: float, vendor: str, search: Any, forget: Any) -> dict[str, Any]:
    """Where one query's time goes, seen for the first time: the top functions by own time,
    the SQL statements with their times, and the plan of the slowest statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forget()
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as captured:
        profiler.enable()
        search(q=q, per_page=20)
        profiler.disable()
    out = StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(8)
    functions = [
        line.strip()
        for line in out.getvalue().splitlines()
        if line.strip() and line.strip()[0].isdigit()
    ]
    statements = [
        {"ms": float(item["time"]) * 1000, "sql": item["sql"][:600]}
        for item in captured.captured_queries
    ]
    plan: list[str] = []
    if statements:
        slowest = max(captured.captured_queries, key=lambda item: float(item["time"]))
        sql = slowest["sql"]
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            try:
                with connection.cursor() as cursor:
                    # The captured text has its parameters already inlined by Django.
                    cursor.execute(prefix + sql)
                    plan = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
            except Exception as error:  # a plan is a nicety, never a failure
                plan = [f"(no plan: {error})"]
    return {
        "q": q,
        "ms": ms,
        "functions": functions,
        "statements": statements,
        "plan": plan[:40],
    }


# ---- The parent: prepare each database, run the child, print the table -------------------


def backend_env(name: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "VENTANILLA_VAR_DIR": str(CACHE / f"var-{name}"),
        "VENTANILLA_LOG_LEVEL": "ERROR",
        "PYTHONHASHSEED": "0",
    }
    if redis_available():
        # As deployed (docs/architecture.md): the engine's per-query caches live in Redis. The
        # in-process default keeps only 300 entries, fewer than the mix has queries.
        env["VENTANILLA_CACHE_URL"] = REDIS_URL
    if name == "postgres":
        env["VENTANILLA_DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{PG_DB}"
    else:
        env["VENTANILLA_DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    return env


def redis_available() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_pg_database() -> None:
    exists = subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{PG_DB}'"],  # noqa: S608 - a constant
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        print(f"  creating database {PG_DB}")
        subprocess.run(["createdb", "-h", HOST, "-U", "postgres", PG_DB], check=True, timeout=60)


def run_backend(name: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n[{name}]", flush=True)
    if name == "postgres":
        ensure_pg_database()
    env = backend_env(name)
    Path(env["VENTANILLA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    argv = [PY, __file__, "--worker", name, "--count", str(args.count), "--seed", str(args.seed),
            "--passes", str(args.passes), "--profile", str(args.profile)]  # fmt: skip
    argv += ["--reuse"] * args.reuse + ["--rebuild"] * args.rebuild + ["--strict"] * args.strict
    done = subprocess.run(argv, cwd=ROOT, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"bench: the {name} run failed (exit {done.returncode})")
    return json.loads((CACHE / f"search_speed-{name}-result.json").read_text())


def report(results: list[dict[str, Any]]) -> str:
    lines = []
    first = results[0]
    lines.append(
        f"search speed — {first['queries']} queries ("
        + ", ".join(f"{k} {n}" for k, n in first["query_kinds"].items())
        + f"), search(q, per_page=20), median of {ARGS.passes} warm passes"
    )
    lines.append(
        "search() new: each query as if seen for the first time since the index changed "
        "(the engine's per-query caches forgotten); search(): the same query again"
    )
    header = f"{'backend':<10} {'measure':<11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    header += f" {'×LIKE p95':>10} {'×FTS p95':>9}"
    for r in results:
        lines.append("")
        docs = r["documents"]
        kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(r["documents_by_kind"].items()))
        build = f"{r['build_s']:.1f} s" if r["build_s"] is not None else "?"
        build += " (from the run that built it: --reuse)" if r["build_reused"] else ""
        lines.append(
            f"{r['backend']}: {docs:,} documents in the index ({kinds}; "
            f"{r['generated']:,} generated procedures + the real data); search_rebuild {build}; "
            f"cache {r.get('cache', '?')}; "
            f"machine busy {r['busy_before']:.0%} before / {r['busy_after']:.0%} after"
        )
        lines.append(header)
        like = r["figures"]["LIKE scan"]["p95"]
        fts = r["figures"]["bare FTS"]["p95"]
        for measure, f in r["figures"].items():
            lines.append(
                f"{r['backend']:<10} {measure:<11} {f['p50']:>8.2f} {f['p95']:>8.2f} "
                f"{f['p99']:>8.2f} {f['p95'] / like:>10.2f} {f['p95'] / fts:>9.2f}"
            )
        for measure in ("search() new", "search()"):
            if measure in r["figures"]:
                p95 = r["figures"][measure]["p95"]
                verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
                lines.append(
                    f"{measure} p95 {p95:.1f} ms {verdict} the {TARGET_P95_MS:.0f} ms target"
                )
        lines.append(
            f"{r['slow_measure']} p95 by kind of query: "
            + ", ".join(f"{k} {v:.1f}" for k, v in r["engine_p95_by_query_kind"].items())
        )
    lines.append("")
    lines.append(
        "where the time goes — slowest queries seen for the first time (median ms over passes)"
    )
    for r in results:
        for d in r["diagnosis"]:
            lines.append(f"\n[{r['backend']}] «{d['q']}» {d['ms']:.1f} ms")
            total = sum(s["ms"] for s in d["statements"])
            lines.append(f"  {len(d['statements'])} SQL statements, {total:.1f} ms in the database")
            for s in sorted(d["statements"], key=lambda s: -s["ms"])[:3]:
                lines.append(f"    {s['ms']:7.2f} ms  {' '.join(s['sql'].split())[:260]}")
            lines.append("  top functions by own time (ncalls tottime percall cumtime percall):")
            lines += [f"    {f[:150]}" for f in d["functions"][:6]]
            if d["plan"]:
                lines.append("  plan of the slowest statement:")
                lines += [f"    {p[:150]}" for p in d["plan"][:14]]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="generated procedures")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="keep a corpus already loaded")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse, rebuild anyway")
    parser.add_argument("--strict", action="store_true", help="refuse on a busy machine")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--profile", type=int, default=4, help="slowest queries to explain")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


ARGS = parse_args([])


def main() -> int:
    global ARGS
    ARGS = parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if ARGS.worker:
        worker(ARGS)
        return 0
    results = [run_backend(name.strip(), ARGS) for name in ARGS.backends.split(",") if name]
    text = report(results)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = RESULTS / f"search_speed-{stamp}.json"
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\nfigures written to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
