"""Performance URLs: each views module owns its own ``urlpatterns``."""

from .views import annex_a, baskets, catalogue, figures, signals

app_name = "performance"

urlpatterns = [
    *baskets.urlpatterns,
    *catalogue.urlpatterns,
    *figures.urlpatterns,
    *annex_a.urlpatterns,
    *signals.urlpatterns,
]
