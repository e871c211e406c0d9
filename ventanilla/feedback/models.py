from django.db import models
from django.utils.translation import gettext_lazy as _


class PageFeedback(models.Model):
    """An answer to "¿Te fue útil esta página?". The comment is stored already masked:
    DNIs, e-mail addresses and phone numbers never reach the database."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    path = models.CharField(_("página"), max_length=300, db_index=True)
    useful = models.BooleanField(_("¿útil?"))
    comment = models.TextField(_("comentario"), blank=True)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("opinión sobre una página")
        verbose_name_plural = _("opiniones sobre páginas")

    def __str__(self) -> str:
        return f"{self.path} · {'sí' if self.useful else 'no'}"
