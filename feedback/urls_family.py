"""The pages a family reaches through a secure link (public: no sign-in; see core/public.py)."""

from .views import family

app_name = "family"

urlpatterns = [*family.urlpatterns]
