"""The "¿Te fue útil esta página?" form: Spanish field names, as the cached pages send them."""

from django import forms
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 1000


class PageFeedbackForm(forms.Form):
    util = forms.ChoiceField(
        label=_("¿Te fue útil esta página?"),
        choices=[("si", _("Sí")), ("no", _("No"))],
        error_messages={
            "required": _("Elige «Sí» o «No» para decirnos si la página te fue útil."),
            "invalid_choice": _("Elige «Sí» o «No» para decirnos si la página te fue útil."),
        },
    )
    comentario = forms.CharField(
        label=_("Comentario"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "El comentario puede tener hasta %(limit_value)d caracteres (tiene %(show_value)d)."
            )
        },
    )
    ruta = forms.CharField(
        max_length=300,
        error_messages={
            "required": _("No sabemos sobre qué página opinas. Vuelve a la página e inténtalo."),
            "max_length": _("La dirección de la página no es válida."),
        },
    )

    @property
    def useful(self) -> bool:
        return self.cleaned_data["util"] == "si"
