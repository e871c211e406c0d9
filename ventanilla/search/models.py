"""The search index, the editable synonym list, and what visitors searched and clicked.

`SearchDocument` is one row per published thing of every registered kind. The engines' own
index lives beside it and is kept in step by the database itself: on SQLite an FTS5 table fed
by triggers, on PostgreSQL a generated, GIN-indexed tsvector column (migration 0002)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    # On SQLite a migration that changes this table may rebuild it, dropping the FTS5 triggers
    # of 0002: such a migration must create them again (see 0007), and a test says so.
    kind = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=400)
    code = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    subtype = models.CharField(max_length=32, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    level = models.CharField(max_length=16, blank=True)
    department = models.ForeignKey(
        "ubigeo.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    date = models.DateTimeField(null=True, blank=True)
    popularity = models.PositiveIntegerField(default=0)
    # Static ranking prior: kind weight × quality × popularity, computed at indexing.
    boost = models.FloatField(default=1.0)
    # The analyzer's terms (analysis.py), space-separated: what the engines index.
    title_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # A hash of everything above: a rebuild rewrites only the documents that changed (each
    # rewrite leaves a dead row behind on PostgreSQL until a vacuum).
    digest = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [
            models.Index(fields=["kind", "date"], name="search_document_kind_date"),
            models.Index(fields=["institution"], name="search_document_institution"),
            models.Index(fields=["date"], name="search_document_date"),
            # Candidates among many matches: the engine walks this until it has enough.
            models.Index(fields=["-boost", "id"], name="search_document_boost"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchTerm(models.Model):
    """The vocabulary of the index: every term with how many documents hold it, and the word
    people read for it (for "¿Quisiste decir…?"). Typo tolerance looks here."""

    term = models.CharField(max_length=64, unique=True)
    word = models.CharField(max_length=64)
    documents = models.PositiveIntegerField(default=0)
    # For the few terms in thousands of documents ("municipalidad", "certificado"): their facet
    # counts and best candidates, worked out when the index changes rather than per search.
    precomputed = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return self.term


class SearchGroupPrecomputed(models.Model):
    """What `SearchTerm.precomputed` holds for one term, for a word that brings alternatives in
    (a synonym: «dni» → dni | documento nacional de identidad): facet counts and best
    candidates, worked out when the index changes. `key` says exactly what the group matches,
    so a row is right for as long as the documents holding its `terms` have not changed."""

    key = models.CharField(max_length=255, unique=True)
    terms = models.TextField()
    precomputed = models.JSONField()

    def __str__(self) -> str:
        return self.key


class Synonym(models.Model):
    """A word or phrase people type and what it should also find: `brevete` → licencia de
    conducir. Edited by editors in the back office; applied to queries, so a change works at
    once without reindexing."""

    term = models.CharField(
        _("cuando alguien escribe"),
        max_length=120,
        unique=True,
        help_text=_("Una palabra o frase, como la escribe la gente: «brevete», «partida»."),
    )
    expansions = models.TextField(
        _("buscar también"),
        help_text=_(
            "Una palabra o frase por línea: «licencia de conducir». Se buscan además del término."
        ),
    )
    note = models.CharField(_("nota"), max_length=300, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("sinónimo")
        verbose_name_plural = _("sinónimos y expresiones")

    def __str__(self) -> str:
        return self.term

    @property
    def expansion_list(self) -> list[str]:
        return [line.strip() for line in self.expansions.splitlines() if line.strip()]


class SearchLog(models.Model):
    """One page of results shown on the portal or the API. `query` is folded and masked (no DNI,
    e-mail or phone number is kept), so identical searches group together."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    query = models.CharField(max_length=200)
    results = models.PositiveIntegerField(default=0)
    corrected = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=8, default="web")
    # Later pages of a search are logged too (their clicks need a row to point to); analytics
    # count searches on page 1.
    page = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["query", "created_at"], name="search_log_query")]
        verbose_name = _("búsqueda")
        verbose_name_plural = _("analítica de búsqueda")

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A visitor followed a result of a search."""

    log = models.ForeignKey(SearchLog, on_delete=models.CASCADE, related_name="clicks")
    created_at = models.DateTimeField(auto_now_add=True)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["log", "kind", "object_id"], name="search_click_once_per_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} #{self.position}"
