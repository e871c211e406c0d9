"""`python manage.py search_generate_corpus --count 100000 [--seed 7]`: fill the current
database with made-up procedures shaped like the real ones, for measuring search at scale
(bench/search_speed.py). `--delete` removes them again.

Everything is learned from what `load_reference_data` loaded: titles are walks of a word Markov
chain (two words of context, sometimes one) trained on the real titles with their institution's
name taken off, then given the name of an institution drawn as the real pages are spread over
institutions (a few national bodies own hundreds of pages, most municipalities a handful, almost
half no institution); the kind is guessed from the title as the loader guesses it; a share of
rows are full pages whose summary, fees, time limits and requirements are the curated
procedures' own re-mixed; popularity follows a Zipf-like curve. Rows are numbered from
GENERATED_NUMBER_BASE up, so they never collide with real ones, and are written with
bulk_create: no per-row signal, no per-row index task. Build the index afterwards with
`manage.py search_rebuild`. The same seed over the same reference data gives the same rows."""

import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from ventanilla.catalogue.content import procedure_content_refresh
from ventanilla.catalogue.importers.gobpe_catalogue import InstitutionIndex, guess_kind
from ventanilla.catalogue.models import Procedure, Requirement
from ventanilla.core.management.commands.load_reference_data import refresh_planner_statistics
from ventanilla.core.text import fold, fold_words, spanish_slug
from ventanilla.institutions.models import Institution

GENERATED_NUMBER_BASE = 2_000_000
BATCH = 5_000
DEFAULT_DETAIL_SHARE = 0.07
# A walk uses two words of context this often, else one: two alone mostly replays real
# titles, one alone makes word salad.
ORDER2_SHARE = 0.75
MAX_TITLE_WORDS = 30
# Institutions that own no real page still get one now and then (weight beside real counts).
INSTITUTION_SMOOTHING = 0.5
ZIPF_EXPONENT = 0.7
_END = "\x00end"
_START = "\x00start"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def generated_procedures() -> models.QuerySet[Procedure]:
    """The rows this command made (and only those)."""
    return Procedure.objects.filter(number__gte=GENERATED_NUMBER_BASE)


class TitleChain:
    """Word Markov chain over real titles: order 2 with a fall-back to order 1."""

    def __init__(self, titles: list[str]) -> None:
        self.starts: list[str] = []
        self.order1: dict[str, list[str]] = defaultdict(list)
        self.order2: dict[tuple[str, str], list[str]] = defaultdict(list)
        for title in titles:
            words = title.split()
            if not words:
                continue
            self.starts.append(words[0])
            chain = [_START, *words, _END]
            for i in range(1, len(chain) - 1):
                self.order1[chain[i]].append(chain[i + 1])
                self.order2[(chain[i - 1], chain[i])].append(chain[i + 1])

    def walk(self, rng: random.Random) -> list[str]:
        prev, word = _START, rng.choice(self.starts)
        words = [word]
        while len(words) < MAX_TITLE_WORDS:
            pair = self.order2.get((prev, word))
            choices = pair if pair and rng.random() < ORDER2_SHARE else self.order1[word]
            nxt = rng.choice(choices)
            if nxt == _END:
                break
            words.append(nxt)
            prev, word = word, nxt
        return words


class Model:
    """What the generator learned from the loaded reference data."""

    def __init__(self) -> None:
        real = Procedure.objects.filter(number__lt=GENERATED_NUMBER_BASE).order_by("number")
        rows = list(real.values("pk", "title", "institution_id", "has_detail"))
        if not rows:
            raise CommandError(
                _("No hay trámites cargados: ejecuta antes «manage.py load_reference_data».")
            )
        institutions = Institution.objects.order_by("pk").values_list("pk", "name", "acronym")
        self.institutions = {pk: (name, acronym or "") for pk, name, acronym in institutions}
        self.real_titles = {row["title"] for row in rows}
        rests: list[str] = []
        per_institution: Counter[int] = Counter()
        prefixed = linked = 0
        for row in rows:
            title, inst = row["title"], row["institution_id"]
            rest = title
            if inst is not None and not row["has_detail"]:
                linked += 1
                per_institution[inst] += 1
                name = fold_words(self.institutions[inst][0])
                folded = fold_words(title)
                if folded.startswith(name + " "):
                    prefixed += 1
                    rest = folded[len(name) + 1 :]
            rests.append(rest)
        self.chain = TitleChain(rests)
        self.no_institution_share = 1 - linked / len(rows)
        self.prefix_share = prefixed / linked if linked else 0.0
        self.institution_ids = list(self.institutions)
        # Kinds are guessed as the loader guesses them: from the title after its institution.
        self.index = InstitutionIndex([(pk, n, a) for pk, (n, a) in self.institutions.items()])
        total = 0.0
        self.institution_cum_weights = []
        for pk in self.institution_ids:  # cumulative: one bisect per draw, not a sum
            total += per_institution[pk] + INSTITUTION_SMOOTHING
            self.institution_cum_weights.append(total)
        self.top_popularity = max(real.aggregate(m=models.Max("popularity"))["m"] or 0, 100)
        self._learn_full_pages(real)

    def _learn_full_pages(self, real: models.QuerySet[Procedure]) -> None:
        full = list(
            real.filter(has_detail=True).values(
                "pk", "summary", "audience", "fee_amount", "fee_detail", "time_limit", "validity"
            )
        )
        texts: dict[int, list[str]] = defaultdict(list)
        requirements = Requirement.objects.filter(procedure__number__lt=GENERATED_NUMBER_BASE)
        for proc_id, text in requirements.order_by("procedure_id", "position", "id").values_list(
            "procedure_id", "text"
        ):
            texts[proc_id].append(text)
        self.full_pages: list[dict[str, Any]] = [dict(row) for row in full]
        self.requirement_counts = [len(texts[row["pk"]]) for row in full] or [0]
        self.requirement_pool = [t for row in full for t in texts[row["pk"]]]
        self.sentences = [
            s for row in full for s in _SENTENCE.split(row["summary"]) if len(s.split()) >= 4
        ]


def _search_text(title: str, name: str, acronym: str) -> str:
    """As the catalogue loader fills it: folded title, then the institution's acronym and name."""
    return " ".join(part for part in (fold(title), fold(acronym), fold(name)) if part)


class Generator:
    def __init__(self, model: Model, *, seed: int, detail_share: float) -> None:
        self.model = model
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible by design
        self.detail_share = detail_share

    def title(self, institution: int | None, full: bool) -> str:
        """A made-up title, never a real one if avoidable."""
        m, rng = self.model, self.rng
        for _attempt in range(5):
            rest = " ".join(m.chain.walk(rng))
            if full:
                title = rest[:1].upper() + rest[1:]
            elif institution is not None and rng.random() < m.prefix_share:
                title = f"{fold_words(m.institutions[institution][0])} {rest}"
            else:
                title = rest
            if title not in m.real_titles and len(title) <= 300:
                break
        return title[:300].strip()

    def full_page(self) -> dict[str, Any]:
        m, rng = self.model, self.rng
        if not m.full_pages:
            return {}

        def pick(field: str) -> Any:
            return rng.choice(m.full_pages)[field]

        summary = ""
        if m.sentences:
            summary = " ".join(rng.sample(m.sentences, min(len(m.sentences), rng.randint(1, 3))))
        fee: Decimal | None = pick("fee_amount")
        return {
            "summary": summary,
            "audience": pick("audience"),
            "fee_amount": fee,
            "fee_detail": pick("fee_detail"),
            "time_limit": pick("time_limit"),
            "validity": pick("validity"),
        }

    def requirements(self) -> list[str]:
        m, rng = self.model, self.rng
        k = min(rng.choice(m.requirement_counts), len(m.requirement_pool))
        return rng.sample(m.requirement_pool, k) if k else []

    def batches(self, count: int) -> Iterator[list[tuple[Procedure, list[str]]]]:
        """`count` unsaved procedures with their requirements' texts, BATCH at a time."""
        ranks = list(range(1, count + 1))
        self.rng.shuffle(ranks)
        for start in range(0, count, BATCH):
            yield [self.row(i, ranks[i]) for i in range(start, min(count, start + BATCH))]

    def row(self, i: int, rank: int) -> tuple[Procedure, list[str]]:
        m, rng = self.model, self.rng
        institution: int | None = None
        if m.institution_ids and rng.random() >= m.no_institution_share:
            institution = rng.choices(m.institution_ids, cum_weights=m.institution_cum_weights)[0]
        full = rng.random() < self.detail_share
        title = self.title(institution, full)
        name, acronym = m.institutions.get(institution, ("", "")) if institution else ("", "")
        fields = self.full_page() if full else {}
        procedure = Procedure(
            number=GENERATED_NUMBER_BASE + i,
            slug=spanish_slug(title, max_length=220) or f"pagina-{i}",
            code=None,
            title=title,
            kind=guess_kind(m.index.match(fold_words(title))[1]),
            institution_id=institution,
            has_detail=full and bool(fields),
            popularity=int(m.top_popularity / rank**ZIPF_EXPONENT),
            is_published=True,
            search_text=_search_text(title, name, acronym),
            **fields,
        )
        return procedure, self.requirements() if full else []


def corpus_delete() -> int:
    """Remove the generated rows and what hangs from them, without loading them: set-based
    deletes, no per-row signals. Returns how many procedures went."""
    ids = generated_procedures().values("pk")
    with transaction.atomic():
        for rel in Procedure._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and rel.is_relation):
                continue
            if not (rel.one_to_many or rel.one_to_one):
                continue
            related: Any = rel.related_model
            field_name = rel.field.name  # type: ignore[union-attr]
            linked = related._base_manager.filter(**{f"{field_name}__in": ids})
            on_delete = getattr(rel, "on_delete", None)
            if on_delete is models.SET_NULL:
                linked.update(**{field_name: None})
            elif on_delete is models.CASCADE:
                linked.delete()
        count = generated_procedures().count()
        # The children are gone: a plain DELETE of the parents, with no collector pass.
        generated_procedures()._raw_delete(using=generated_procedures().db)
    return count


class Command(BaseCommand):
    help = _(
        "Genera trámites y páginas de prueba con la forma de los reales (números desde "
        "2.000.000), para medir la búsqueda; --delete los borra."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000, help=_("Cuántos generar."))
        parser.add_argument("--seed", type=int, default=7, help=_("Semilla (mismo resultado)."))
        parser.add_argument(
            "--detail-share",
            type=float,
            default=DEFAULT_DETAIL_SHARE,
            help=_("Proporción de fichas completas (0 a 1)."),
        )
        parser.add_argument(
            "--delete", action="store_true", help=_("Borra los trámites generados y termina.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delete"]:
            started = time.monotonic()
            count = corpus_delete()
            self.stdout.write(
                _(
                    "Borrados %(n)d trámites generados en %(s).1f s. "
                    "Reconstruye el índice con «manage.py search_rebuild»."
                )
                % {"n": count, "s": time.monotonic() - started}
            )
            return
        count, share = options["count"], options["detail_share"]
        if not 0 < count <= 5_000_000:
            raise CommandError(_("--count debe estar entre 1 y 5.000.000."))
        if not 0 <= share <= 1:
            raise CommandError(_("--detail-share debe estar entre 0 y 1."))
        existing = generated_procedures().count()
        if existing:
            raise CommandError(
                _("Ya hay %(n)d trámites generados; bórralos antes con --delete.") % {"n": existing}
            )
        started = time.monotonic()
        model = Model()
        generator = Generator(model, seed=options["seed"], detail_share=share)
        made = 0
        with transaction.atomic():
            for batch in generator.batches(count):
                Procedure.objects.bulk_create([p for p, _r in batch])
                Requirement.objects.bulk_create(
                    Requirement(procedure_id=p.pk, position=j, text=text)
                    for p, reqs in batch
                    for j, text in enumerate(reqs, 1)
                )
                made += len(batch)
                self.stderr.write(
                    _("  %(n)s de %(t)s trámites generados (%(s).1f s)")
                    % {"n": f"{made:,}", "t": f"{count:,}", "s": time.monotonic() - started}
                )
            generated_ids = list(generated_procedures().values_list("pk", flat=True))
            rewritten, _unchanged = procedure_content_refresh(ids=generated_ids)
        self.stderr.write(
            _("  documentos publicados: %(n)d (%(s).1f s)")
            % {"n": rewritten, "s": time.monotonic() - started}
        )
        if not connection.in_atomic_block:
            refresh_planner_statistics()
        full = generated_procedures().filter(has_detail=True).count()
        self.stdout.write(
            _(
                "Generados %(n)d trámites (%(f)d fichas completas) en %(s).1f s. "
                "Construye el índice con «manage.py search_rebuild»."
            )
            % {"n": made, "f": full, "s": time.monotonic() - started}
        )
