"""/cuenta/: the citizen's account. Each views module lists its own paths."""

from ventanilla.accounts.views import account, auth, officials

app_name = "accounts"
urlpatterns = [*auth.urlpatterns, *account.urlpatterns, *officials.urlpatterns]
