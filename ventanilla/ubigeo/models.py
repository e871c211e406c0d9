"""Peru's territorial codes (UBIGEO): 25 departments, 196 provinces, 1,891 districts.

The INEI code is the key; RENIEC numbers many districts differently, so its code is kept too."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("código INEI"), max_length=2, primary_key=True)
    reniec_code = models.CharField(_("código RENIEC"), max_length=2, blank=True)
    name = models.CharField(_("nombre"), max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    capital = models.CharField(_("capital"), max_length=120, blank=True)
    iso_code = models.CharField(_("ISO 3166-2"), max_length=8, blank=True)
    population = models.PositiveIntegerField(_("población"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("departamento")
        verbose_name_plural = _("departamentos")

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    code = models.CharField(_("código INEI"), max_length=4, primary_key=True)
    reniec_code = models.CharField(_("código RENIEC"), max_length=4, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="provinces")
    name = models.CharField(_("nombre"), max_length=80)
    capital = models.CharField(_("capital"), max_length=120, blank=True)
    population = models.PositiveIntegerField(_("población"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provincia")
        verbose_name_plural = _("provincias")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    code = models.CharField(_("ubigeo INEI"), max_length=6, primary_key=True)
    reniec_code = models.CharField(_("ubigeo RENIEC"), max_length=6, blank=True, db_index=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("nombre"), max_length=80)
    capital = models.CharField(_("capital legal"), max_length=120, blank=True)
    category = models.CharField(_("categoría de la capital"), max_length=40, blank=True)
    population = models.PositiveIntegerField(_("población"), null=True, blank=True)
    altitude_m = models.FloatField(_("altitud (m s. n. m.)"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("distrito")
        verbose_name_plural = _("distritos")

    def __str__(self) -> str:
        return self.name

    @property
    def department_code(self) -> str:
        return self.code[:2]
