"""Who a login names: a citizen's document number (DNI or carné de extranjería) or an
official's username. Throttling and locks are checked by `accounts.services.login`, which the
login forms of the portal and of the back office both go through."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from ventanilla.accounts.selectors import user_by_login_name


class AccountBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        user = user_by_login_name(username)
        if user is None:
            # Spend the time a real check takes, so timing does not tell which accounts exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and user.locked_at is None
