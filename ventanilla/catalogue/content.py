"""The published document of a procedure page (`Procedure.content`), as GOV.UK's content store
keeps one "content item" per page: everything the page and the API detail show, in one JSON
value, so the public page is one query and no child rows.

Every write that changes what the page shows rebuilds the document in its own transaction: the
catalogue services, the institution services through the rename hook registered in
`CatalogueConfig.ready`, and the reference-data loader (in bulk). One assembler serves the single
and the bulk builds, so the two cannot disagree. Labels (kind, channel kind) are stored as
values and translated when the page is rendered, so one document serves every language."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse

from ventanilla.catalogue.models import (
    Channel,
    ChannelStep,
    Procedure,
    ProcedureSection,
    Requirement,
    Topic,
)
from ventanilla.institutions.models import Institution

# Bump when the shape changes: readers build a document of another version afresh, and the
# loader rewrites every stored one.
CONTENT_VERSION = 1
# The procedure's own columns the document is made of.
OWN_FIELDS = (
    "number",
    "slug",
    "code",
    "title",
    "kind",
    "has_detail",
    "summary",
    "audience",
    "fee_amount",
    "fee_detail",
    "time_limit",
    "validity",
    "tupa_code",
    "online_url",
    "min_assurance",
    "notes",
    "source_url",
    "source_type",
    "source_checked_on",
    "gobpe_id",
    "institution_id",
)
_BATCH = 500
# Stored documents leave out the top-level keys that are empty: 33,000 title-only pages would
# otherwise more than double the table's size and every scan of it (the simple search's LIKE).
# Readers get them back from here with `content_unpack`.
DOCUMENT_DEFAULTS: dict[str, Any] = {
    "code": None,
    "has_detail": False,
    "summary": "",
    "audience": "",
    "requirements": [],
    "fee_amount": None,
    "is_free": False,
    "fee_detail": "",
    "time_limit": "",
    "validity": "",
    "tupa_code": "",
    "online_url": "",
    "min_assurance": "",
    "gobpe_url": "",
    "notes": "",
    "institution": None,
    "channels": [],
    "sections": [],
    "topics": [],
}

type Document = dict[str, Any]


def content_pack(doc: Document) -> Document:
    """The document as stored: without the top-level keys whose value is the empty default."""
    return {k: v for k, v in doc.items() if k not in DOCUMENT_DEFAULTS or v != DOCUMENT_DEFAULTS[k]}


def content_unpack(stored: Document) -> Document:
    """A stored document with every key (what `procedure_content_build` returns)."""
    return {**DOCUMENT_DEFAULTS, **stored}


def _path(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a slug the URL pattern cannot carry has no public page
        return ""


def _money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def _day(value: Any) -> str | None:
    if not value:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def institution_part(row: Mapping[str, Any] | None) -> dict[str, str] | None:
    """{slug, name, acronym, url} of the responsible institution, as the document holds it."""
    if row is None:
        return None
    return {
        "slug": row["slug"],
        "name": row["name"],
        "acronym": row["acronym"],
        "url": _path("institutions:detail", slug=row["slug"]),
    }


def _assemble(
    own: Mapping[str, Any],
    *,
    institution: Mapping[str, Any] | None,
    requirements: list[str],
    channels: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    topics: list[tuple[str, str]],
) -> Document:
    fee = _money(own["fee_amount"])
    gobpe_id = own["gobpe_id"]
    return {
        "v": CONTENT_VERSION,
        "number": own["number"],
        "slug": own["slug"],
        "code": own["code"],
        "title": own["title"],
        "kind": own["kind"],
        "has_detail": own["has_detail"],
        "summary": own["summary"],
        "audience": own["audience"],
        "requirements": requirements,
        "fee_amount": fee,
        "is_free": fee is not None and Decimal(fee) == 0,
        "fee_detail": own["fee_detail"],
        "time_limit": own["time_limit"],
        "validity": own["validity"],
        "tupa_code": own["tupa_code"],
        "online_url": own["online_url"],
        "min_assurance": own["min_assurance"],
        "gobpe_url": f"https://www.gob.pe/{gobpe_id}" if gobpe_id else "",
        "notes": own["notes"],
        "institution": institution_part(institution),
        "channels": channels,
        "sections": sections,
        "topics": [
            {"slug": slug, "name": name, "url": _path("catalogue:topic", slug=slug)}
            for slug, name in topics
        ],
        "source": {
            "url": own["source_url"],
            "type": own["source_type"],
            "checked_on": _day(own["source_checked_on"]),
        },
    }


class _Children:
    """Requirements, channels with steps, sections and topics of the procedures `ids` (of every
    procedure when None), read in five queries whatever their number."""

    def __init__(self, ids: list[int] | None) -> None:
        self.requirements: dict[int, list[str]] = defaultdict(list)
        self.channels: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.sections: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.topics: dict[int, list[tuple[str, str]]] = defaultdict(list)
        self.ids = ids
        if ids == []:
            return
        for pid, text in self._rows(Requirement, "procedure_id", "text"):
            self.requirements[pid].append(text)
        steps: dict[int, list[str]] = defaultdict(list)
        step_qs = ChannelStep.objects.all()
        if ids is not None:
            step_qs = step_qs.filter(channel__procedure_id__in=ids)
        step_rows = step_qs.order_by("position", "id").values_list("channel_id", "text")
        for channel_id, text in step_rows:
            steps[channel_id].append(text)
        for pk, pid, kind, description, url in self._rows(
            Channel, "pk", "procedure_id", "kind", "description", "url"
        ):
            self.channels[pid].append(
                {"kind": kind, "description": description, "url": url, "steps": steps[pk]}
            )
        for pid, heading, items in self._rows(ProcedureSection, "procedure_id", "heading", "items"):
            self.sections[pid].append(
                {"heading": heading, "items": [str(item) for item in items or []]}
            )
        memberships = self._filtered(Topic.procedures.through.objects.all()).order_by(
            "topic__position", "topic__name", "topic_id"
        )
        for pid, slug, name in memberships.values_list(
            "procedure_id", "topic__slug", "topic__name"
        ):
            self.topics[pid].append((slug, name))

    def _filtered(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if self.ids is None else qs.filter(procedure_id__in=self.ids)

    def _rows(self, model: type[Model], *names: str) -> Iterable[tuple[Any, ...]]:
        qs = self._filtered(model._default_manager.all())
        return qs.order_by("position", "id").values_list(*names)

    def document(self, own: Mapping[str, Any], pk: int | None, institution: Any) -> Document:
        key = pk if pk is not None else -1
        return _assemble(
            own,
            institution=institution,
            requirements=self.requirements[key],
            channels=self.channels[key],
            sections=self.sections[key],
            topics=self.topics[key],
        )


_INSTITUTION_FIELDS = ("pk", "slug", "name", "acronym")


def procedure_content_build(procedure: Procedure) -> Document:
    """The document of `procedure` as it is in memory (its own fields may be unsaved) with its
    institution, children and topics as stored."""
    own = {name: getattr(procedure, name) for name in OWN_FIELDS}
    institution = None
    if procedure.institution_id is not None:
        institution = (
            Institution.objects.filter(pk=procedure.institution_id)
            .values(*_INSTITUTION_FIELDS)
            .first()
        )
    ids = [procedure.pk] if procedure.pk is not None else []
    return _Children(ids).document(own, procedure.pk, institution)


def procedure_content_set(procedure: Procedure) -> None:
    """Put the fresh document on `procedure` (in memory, stored by the caller's save)."""
    procedure.content = content_pack(procedure_content_build(procedure))


def procedure_content_refresh(*, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Rebuild the stored documents of the procedures `ids` (every procedure when None) and
    write those that differ. Returns (rewritten, unchanged)."""
    qs = Procedure.objects.order_by("pk")
    wanted = None if ids is None else sorted(set(ids))
    if wanted is not None:
        qs = qs.filter(pk__in=wanted)
    rows = list(qs.values("pk", "content", *OWN_FIELDS))
    inst_qs = Institution.objects.all()
    if wanted is not None:
        inst_qs = inst_qs.filter(pk__in={r["institution_id"] for r in rows} - {None})
    institutions = {i["pk"]: i for i in inst_qs.values(*_INSTITUTION_FIELDS)}
    rewritten: list[tuple[int, Document]] = []
    unchanged = 0
    # A whole rebuild reads every child table once; a partial one in slices of ids.
    chunks = (
        [rows] if wanted is None else [rows[i : i + _BATCH] for i in range(0, len(rows), _BATCH)]
    )
    for chunk in chunks:
        children = _Children(None if wanted is None else [r["pk"] for r in chunk])
        for row in chunk:
            doc = content_pack(
                children.document(row, row["pk"], institutions.get(row["institution_id"]))
            )
            if doc == row["content"]:
                unchanged += 1
            else:
                rewritten.append((row["pk"], doc))
    _write(rewritten)
    return len(rewritten), unchanged


def _write(documents: list[tuple[int, Document]]) -> None:
    """One parameterised UPDATE per row through executemany: a first load writes 33,000
    documents, which bulk_update's CASE expressions take five times longer to do."""
    if not documents:
        return
    field = Procedure._meta.get_field("content")
    quote = connection.ops.quote_name
    # Only identifiers from the model are formatted in; the values go as parameters.
    sql = (
        f"UPDATE {quote(Procedure._meta.db_table)} SET {quote(str(field.column))} = %s "  # noqa: S608
        f"WHERE {quote(str(Procedure._meta.pk.column))} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(documents), _BATCH):
            cursor.executemany(
                sql,
                [
                    (field.get_db_prep_save(doc, connection), pk)
                    for pk, doc in documents[start : start + _BATCH]
                ],
            )


def procedure_content_institution_renamed(institution: Institution) -> None:
    """Rebuild the documents of an institution's procedures (its name, acronym or slug changed)."""
    ids = Procedure.objects.filter(institution_id=institution.pk).values_list("pk", flat=True)
    procedure_content_refresh(ids=list(ids))


def procedure_content_is_current(doc: Any) -> bool:
    """True when `doc` is a stored document of the current shape (not empty, not older)."""
    return isinstance(doc, dict) and doc.get("v") == CONTENT_VERSION
