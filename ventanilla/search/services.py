"""Writes of the search app: what visitors searched and clicked, and the synonym list that
editors keep."""

import csv
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ventanilla.audit import services as audit
from ventanilla.core.text import fold_words
from ventanilla.feedback.masking import mask_personal_data
from ventanilla.search.backends import Filters
from ventanilla.search.indexing import search_groups_refresh
from ventanilla.search.models import SearchClick, SearchDocument, SearchLog, Synonym
from ventanilla.search.permissions import can_manage_synonyms
from ventanilla.search.query import MAX_QUERY_LENGTH, synonyms_forget

if TYPE_CHECKING:
    from ventanilla.search.selectors import SearchResults


def search_log_record(*, results: "SearchResults", filters: Filters, source: str) -> SearchLog:
    """Keep one page of results for the editors' analytics: folded (so «Trámite» and «tramite»
    group), with DNIs, e-mails and phone numbers masked; its page number says whether it is a
    new search (1) or more of one."""
    text = fold_words(mask_personal_data(results.query.raw))[:MAX_QUERY_LENGTH]
    applied: dict[str, Any] = {}
    if filters.kinds:
        applied["type"] = list(filters.kinds)
    if filters.institution_id:
        applied["institution"] = filters.institution_id
    if filters.level:
        applied["level"] = filters.level
    if filters.department_id:
        applied["department"] = filters.department_id
    return SearchLog.objects.create(
        query=text,
        results=results.total,
        corrected=results.corrected[:MAX_QUERY_LENGTH],
        filters=applied,
        source=source[:8],
        page=min(results.page, 2**31 - 1),
    )


def search_click_record(*, log_id: int, kind: str, object_id: int, position: int) -> bool:
    """Count that a result of a logged search was followed. Only results that exist count,
    and each at most once per search (a double click, a prefetch): returns False otherwise."""
    if not SearchDocument.objects.filter(kind=kind, object_id=object_id).exists():
        return False
    if not SearchLog.objects.filter(pk=log_id).exists():
        return False
    try:
        with transaction.atomic():
            SearchClick.objects.create(
                log_id=log_id,
                kind=kind,
                object_id=object_id,
                position=max(0, min(position, 32_000)),
            )
    except IntegrityError:
        return False
    return True


def synonym_save(
    *,
    by: Any,
    term: str,
    expansions: str,
    note: str = "",
    is_active: bool = True,
    synonym: Synonym | None = None,
) -> Synonym:
    """Create or change a synonym; it applies to the next search."""
    if not can_manage_synonyms(by):
        raise PermissionDenied
    with transaction.atomic():
        target = synonym or Synonym()
        created = target.pk is None
        target.term = " ".join(term.split()).lower()[:120]
        target.expansions = "\n".join(
            line.strip() for line in expansions.splitlines() if line.strip()
        )
        target.note = note[:300]
        target.is_active = is_active
        target.save()
        audit.record(
            actor=by,
            action="search.synonym_created" if created else "search.synonym_changed",
            target=target,
            data={"term": target.term, "expansions": target.expansion_list},
        )
    transaction.on_commit(synonyms_forget)
    # Its group's facets and candidates, when it matches thousands (after the list is re-read).
    transaction.on_commit(partial(search_groups_refresh, phrase=target.term))
    return target


def synonym_delete(*, by: Any, synonym: Synonym) -> None:
    if not can_manage_synonyms(by):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=by, action="search.synonym_deleted", target=synonym, data={"term": synonym.term}
        )
        synonym.delete()
    transaction.on_commit(synonyms_forget)
    transaction.on_commit(partial(search_groups_refresh, phrase=""))


REFERENCE_SYNONYMS = Path(__file__).resolve().parent / "reference" / "synonyms.csv"


def synonym_seed(*, path: Path = REFERENCE_SYNONYMS) -> int:
    """Fill an empty synonym list from the curated reference file (term, expansions separated
    by |, note). Once editors have a list, theirs stands: nothing is overwritten or re-added.
    Returns how many were created."""
    if Synonym.objects.exists() or not path.exists():
        return 0
    rows: dict[str, Synonym] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            term = " ".join((row.get("term") or "").split()).lower()[:120]
            expansions = [e.strip() for e in (row.get("expansions") or "").split("|") if e.strip()]
            if term and expansions and term not in rows:
                rows[term] = Synonym(
                    term=term, expansions="\n".join(expansions), note=(row.get("note") or "")[:300]
                )
    with transaction.atomic():
        Synonym.objects.bulk_create(rows.values())
        if rows:
            audit.record(
                actor=None,
                action="search.synonyms_seeded",
                target=next(iter(Synonym.objects.all()[:1])),
                data={"count": len(rows), "file": path.name},
            )
    transaction.on_commit(synonyms_forget)
    return len(rows)
