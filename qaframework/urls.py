from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from organisation.forms import SignInForm

from . import child, progress, qa_settings, views

admin.site.site_header = "QA Framework administration"
admin.site.site_title = "QA Framework administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("messages/read/", views.notifications_read, name="notifications-read"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("", include("organisation.urls")),
    path("audits/", include("audits.urls")),
    path("observations/", include("observations.urls")),
    path("feedback/", include("feedback.urls")),
    path("performance/", include("performance.urls")),
    path("clinics/", include("clinics.urls")),
    path("boards/", include("boards.urls")),
    # The secure links families open: short, and nothing in them about the case.
    path("v/", include("feedback.urls_family")),
    *child.urlpatterns,
    *progress.urlpatterns,
    *qa_settings.urlpatterns,
    path("admin/", admin.site.urls),
]
