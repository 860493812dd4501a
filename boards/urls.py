from django.urls import include, path

app_name = "boards"

urlpatterns = [
    path("", include("boards.urls_learning")),
]
