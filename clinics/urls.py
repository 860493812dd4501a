from django.urls import include, path

app_name = "clinics"

# Each part keeps its own URL module (meetings and action logs; highlight reports; PDFs).
urlpatterns = [
    path("", include("clinics.urls_meetings")),
    path("", include("clinics.urls_reports")),
    path("", include("clinics.urls_pdf")),
]
