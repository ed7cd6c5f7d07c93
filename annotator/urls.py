from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import core

# Each feature's views module owns its routes (``urlpatterns``), all in the "annotator" namespace.
app_patterns = [
    path("", core.home, name="home"),
    path("projects/<int:project_id>/", core.project_detail, name="project-detail"),
]

urlpatterns = [
    path("", include((app_patterns, "annotator"))),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
