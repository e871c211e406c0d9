"""Load the catalogue: the 43 curated procedures (with the six full gob.pe pages merged in),
every page of gob.pe's catalogue, and our topics and life events."""

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.catalogue.content import procedure_content_refresh
from ventanilla.catalogue.importers.curated import Curated, read_curated
from ventanilla.catalogue.importers.editorial import (
    read_popularity,
    sync_life_events,
    sync_topics,
)
from ventanilla.catalogue.importers.fichas import merge_fichas
from ventanilla.catalogue.importers.gobpe_catalogue import (
    InstitutionIndex,
    catalogue_rows,
    read_catalogue,
)
from ventanilla.catalogue.models import (
    LOCAL_NUMBER_BASE,
    Channel,
    ChannelStep,
    Procedure,
    ProcedureSection,
    Requirement,
)
from ventanilla.core.importing import ImportReport, sync_rows
from ventanilla.core.text import fold, fold_words
from ventanilla.institutions.models import Institution

REFERENCE_DATA_ORDER = 30
CONTENT_LABEL = "catalogue.Procedure.content"
STAGE_NAME = "Trámites y catálogo"


def _link_institutions(
    curated: list[Curated], institutions: list[tuple[int, str, str, str]], report: ImportReport
) -> None:
    """By gob.pe slug; else by the unique institution with that name, or with those siglas."""
    by_slug = {slug: pk for pk, slug, _n, _a in institutions}
    by_name: dict[str, list[int]] = defaultdict(list)
    by_acronym: dict[str, list[int]] = defaultdict(list)
    for inst_pk, _slug, name, acronym in institutions:
        by_name[fold_words(name)].append(inst_pk)
        if acronym:
            by_acronym[fold_words(acronym)].append(inst_pk)
    rule = _("Institución de los trámites curados (regla)")
    for item in curated:
        slug, siglas, entidad = item.institution_hint
        pk: int | None = by_slug.get(slug) if slug else None
        if pk:
            report.tally(rule, _("slug de gob.pe"))
        elif len(by_name.get(fold_words(entidad), [])) == 1:
            pk = by_name[fold_words(entidad)][0]
            report.tally(rule, _("nombre de la entidad"))
        elif siglas and len(by_acronym.get(fold_words(siglas), [])) == 1:
            pk = by_acronym[fold_words(siglas)][0]
            report.tally(rule, _("siglas"))
        else:
            report.tally(rule, _("sin institución"))
            report.note(
                _("Trámites curados sin institución"),
                f"{item.code} (línea {item.line}): «{entidad or '—'}» / «{siglas or '—'}»",
            )
        item.fields["institution_id"] = pk


def _sync_children(
    procedures: dict[str, Procedure], curated: list[Curated], report: ImportReport
) -> None:
    """Requirements, channels with steps and sections of each curated procedure: compared as a
    whole and rewritten only when something differs."""
    ids = [p.pk for p in procedures.values()]
    have: dict[int, tuple[Any, ...]] = defaultdict(lambda: ((), (), ()))
    reqs: dict[int, list[str]] = defaultdict(list)
    for r in Requirement.objects.filter(procedure_id__in=ids).order_by("position", "id"):
        reqs[r.procedure_id].append(r.text)
    steps: dict[int, list[str]] = defaultdict(list)
    for s in ChannelStep.objects.filter(channel__procedure_id__in=ids).order_by("position", "id"):
        steps[s.channel_id].append(s.text)
    chans: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for ch in Channel.objects.filter(procedure_id__in=ids).order_by("position", "id"):
        chans[ch.procedure_id].append((ch.kind, ch.description, ch.url, tuple(steps[ch.pk])))
    secs: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for section in ProcedureSection.objects.filter(procedure_id__in=ids).order_by("position", "id"):
        secs[section.procedure_id].append((section.heading, section.items))
    for pk in ids:
        have[pk] = (tuple(reqs[pk]), tuple(chans[pk]), tuple(secs[pk]))
    labels = [m._meta.label for m in (Requirement, Channel, ChannelStep, ProcedureSection)]
    for item in curated:
        proc = procedures[item.code]
        want = (
            tuple(item.requirements),
            tuple(
                (c["kind"], c["description"], c["url"], tuple(c["steps"])) for c in item.channels
            ),
            tuple((s["heading"], s["items"]) for s in item.sections),
        )
        sizes = [len(want[0]), len(want[1]), sum(len(c[3]) for c in want[1]), len(want[2])]
        if have[proc.pk] == want:
            for label, n in zip(labels, sizes, strict=True):
                report.counts[label].unchanged += n
            continue
        _deleted, per_model = Requirement.objects.filter(procedure=proc).delete()
        for model in (Channel, ProcedureSection):
            per_model = {**per_model, **model.objects.filter(procedure=proc).delete()[1]}
        for label in labels:
            report.counts[label].deleted += per_model.get(label, 0)
        Requirement.objects.bulk_create(
            Requirement(procedure=proc, position=i, text=t) for i, t in enumerate(want[0], 1)
        )
        for i, c in enumerate(item.channels, 1):
            channel = Channel.objects.create(
                procedure=proc,
                kind=c["kind"],
                description=c["description"],
                url=c["url"][:500],
                position=i,
            )
            ChannelStep.objects.bulk_create(
                ChannelStep(channel=channel, position=j, text=t)
                for j, t in enumerate(c["steps"], 1)
            )
        ProcedureSection.objects.bulk_create(
            ProcedureSection(procedure=proc, position=i, heading=s["heading"], items=s["items"])
            for i, s in enumerate(item.sections, 1)
        )
        for label, n in zip(labels, sizes, strict=True):
            report.counts[label].created += n


def load_reference_data(*, data_dir: Path, report: ImportReport) -> None:
    catalogue = read_catalogue(data_dir, report)
    titles: dict[str, list[int]] = defaultdict(list)
    for gobpe_id, (_line, title) in catalogue.items():
        titles[fold_words(title)].append(gobpe_id)
    curated = read_curated(data_dir, report, titles)
    merge_fichas(data_dir, curated, report)
    institutions = list(Institution.objects.values_list("pk", "slug", "name", "acronym"))
    names = {pk: (name, acronym) for pk, _slug, name, acronym in institutions}
    _link_institutions(curated, institutions, report)
    popularity = read_popularity(report)
    rows: dict[int, dict[str, Any]] = {}
    replaced: dict[int, str] = {}
    for item in curated:
        fields = item.fields
        name, acronym = names.get(fields["institution_id"], ("", ""))
        fields["search_text"] = (
            f"{fold(fields['title'])} {item.code.lower()} {fold(acronym)} {fold(name)}".strip()
        )
        fields["popularity"] = popularity.get(item.code, 0)
        rows[fields["number"]] = fields
        if fields["number"] < LOCAL_NUMBER_BASE:
            replaced[fields["number"]] = item.code
    report.progress(_("Catálogo de gob.pe: %(n)d páginas…") % {"n": len(catalogue)})
    index = InstitutionIndex([(pk, name, acronym) for pk, _s, name, acronym in institutions])
    folded = {pk: f"{fold(acronym)} {fold(name)}" for pk, (name, acronym) in names.items()}
    for number, row in catalogue_rows(data_dir, catalogue, replaced, index, folded, report).items():
        rows.setdefault(number, row)
    objects = sync_rows(Procedure, rows, report, key="number")
    by_code = {item.code: objects[item.fields["number"]] for item in curated}
    _sync_children(by_code, curated, report)
    sync_topics(by_code, report)
    sync_life_events(by_code, report)
    # Last: the published documents read everything above (and the institutions' names).
    report.progress(_("Documentos publicados de los trámites…"))
    rewritten, unchanged = procedure_content_refresh()
    report.counts[CONTENT_LABEL].updated += rewritten
    report.counts[CONTENT_LABEL].unchanged += unchanged
