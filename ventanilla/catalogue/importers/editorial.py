"""Our own editorial data in catalogue/reference/: topics, life events, popularity seeds."""

import tomllib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ventanilla.catalogue.models import LifeEvent, LifeEventStep, Procedure, Topic
from ventanilla.core.importing import ImportReport, sync_rows

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def read_toml(path: Path, report: ImportReport) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.skip(path, 0, _("el archivo no existe"))
    except tomllib.TOMLDecodeError as error:
        report.skip(path, getattr(error, "lineno", 0), _("TOML inválido: %(e)s") % {"e": error})
    return {}


def read_popularity(report: ImportReport, reference_dir: Path = REFERENCE_DIR) -> dict[str, int]:
    path = reference_dir / "popularity.toml"
    out: dict[str, int] = {}
    for number, entry in enumerate(read_toml(path, report).get("entry", []), start=1):
        if not entry.get("source") or not isinstance(entry.get("popularity"), int):
            report.skip(path, number, _("entrada sin fuente o sin popularidad entera"))
            continue
        out[str(entry.get("code"))] = max(0, entry["popularity"])
        report.loaded(path)
    return out


def sync_topics(
    procedures: dict[str, Procedure], report: ImportReport, reference_dir: Path = REFERENCE_DIR
) -> None:
    path = reference_dir / "topics.toml"
    rows: dict[str, dict[str, Any]] = {}
    members: dict[str, set[int]] = {}
    for position, topic in enumerate(read_toml(path, report).get("topic", []), start=1):
        slug, name = str(topic.get("slug") or ""), str(topic.get("name") or "")
        if not slug or not name or slug in rows:
            report.skip(path, position, _("tema sin slug o nombre, o repetido"))
            continue
        rows[slug] = {"slug": slug, "name": name, "position": position,
                      "description": str(topic.get("description") or "")}  # fmt: skip
        members[slug] = set()
        for code in topic.get("procedures", []):
            if code in procedures:
                members[slug].add(procedures[code].pk)
            else:
                report.skip(path, position, _("código desconocido en el tema: %(c)s") % {"c": code})
        report.loaded(path)
    topics = sync_rows(Topic, rows, report, key="slug")
    counts = report.counts["catalogue.Topic.procedures"]
    current: dict[int, set[int]] = {}
    for topic_id, procedure_id in Topic.procedures.through.objects.filter(
        topic_id__in=[t.pk for t in topics.values()]
    ).values_list("topic_id", "procedure_id"):
        current.setdefault(topic_id, set()).add(procedure_id)
    for slug, topic in topics.items():
        before = current.get(topic.pk, set())
        if before != members[slug]:
            topic.procedures.set(members[slug])
            if before:
                counts.updated += 1
            else:
                counts.created += 1
        else:
            counts.unchanged += 1


def sync_life_events(
    procedures: dict[str, Procedure], report: ImportReport, reference_dir: Path = REFERENCE_DIR
) -> None:
    path = reference_dir / "life_events.toml"
    rows: dict[str, dict[str, Any]] = {}
    wanted: dict[str, list[tuple[str, str, int | None]]] = {}
    for position, event in enumerate(read_toml(path, report).get("life_event", []), start=1):
        slug, title = str(event.get("slug") or ""), str(event.get("title") or "")
        if not slug or not title or slug in rows:
            report.skip(path, position, _("momento de vida sin slug o título, o repetido"))
            continue
        rows[slug] = {"slug": slug, "title": title, "position": position,
                      "summary": str(event.get("summary") or "")}  # fmt: skip
        steps = []
        for step in event.get("step", []):
            code = step.get("procedure")
            if code and code not in procedures:
                report.skip(path, position, _("código desconocido en el paso: %(c)s") % {"c": code})
            procedure = procedures.get(code) if code else None
            steps.append((str(step.get("title") or "")[:200], str(step.get("description") or ""),
                          procedure.pk if procedure else None))  # fmt: skip
        wanted[slug] = steps
        report.loaded(path)
    events = sync_rows(LifeEvent, rows, report, key="slug")
    counts = report.counts[LifeEventStep._meta.label]
    have: dict[int, list[tuple[str, str, int | None]]] = {}
    for step in LifeEventStep.objects.filter(life_event__in=list(events.values())).order_by(
        "life_event_id", "position", "id"
    ):
        have.setdefault(step.life_event_id, []).append(
            (step.title, step.description, step.procedure_id)
        )
    for slug, event in events.items():
        if have.get(event.pk, []) == wanted[slug]:
            counts.unchanged += len(wanted[slug])
            continue
        counts.deleted += LifeEventStep.objects.filter(life_event=event).delete()[0]
        LifeEventStep.objects.bulk_create(
            LifeEventStep(life_event=event, position=i, title=t, description=d, procedure_id=p)
            for i, (t, d, p) in enumerate(wanted[slug], start=1)
        )
        counts.created += len(wanted[slug])
