"""Meeting, action-log and terms-of-reference URLs (the views module owns its ``urlpatterns``)."""

from .views import meetings

urlpatterns = [*meetings.urlpatterns]
