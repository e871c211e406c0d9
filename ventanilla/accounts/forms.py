"""Login and registration forms, with the Spanish field names the pages post."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import DocumentType


class LoginForm(forms.Form):
    documento = forms.CharField(
        max_length=150,
        error_messages={"required": _("Escribe tu número de DNI o de carné de extranjería.")},
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        error_messages={"required": _("Escribe tu contraseña.")},
    )


class CodeForm(forms.Form):
    codigo = forms.CharField(
        max_length=32,
        error_messages={
            "required": _("Escribe el código de 6 dígitos de tu app de verificación."),
            "max_length": _("El código es más corto: 6 dígitos, o un código de recuperación."),
        },
    )


class RegisterForm(forms.Form):
    tipo = forms.ChoiceField(
        choices=DocumentType.choices,
        initial=DocumentType.DNI,
        error_messages={
            "required": _("Elige el tipo de documento."),
            "invalid_choice": _("Elige DNI o carné de extranjería."),
        },
    )
    documento = forms.CharField(
        max_length=20,
        error_messages={"required": _("Escribe el número de tu documento.")},
    )
    digito = forms.CharField(max_length=2, required=False)
    correo = forms.CharField(
        max_length=254,
        error_messages={"required": _("Escribe tu correo electrónico.")},
    )
    celular = forms.RegexField(
        regex=r"^\+?[0-9 ]{9,15}$",
        required=False,
        max_length=20,
        error_messages={"invalid": _("Escribe el celular con 9 dígitos, como 987 654 321.")},
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        error_messages={"required": _("Crea una contraseña.")},
    )
    password2 = forms.CharField(
        max_length=4096,
        strip=False,
        error_messages={"required": _("Vuelve a escribir la contraseña.")},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("Las dos contraseñas no son iguales."))
        return data
