from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    agreement,
    analysis,
    auth,
    codebook,
    core,
    exports,
    health,
    setup,
    tokens,
    workflow,
    workspace,
)

# Each feature's views module owns its routes (``urlpatterns``), all in the "annotator" namespace.
app_patterns = [
    path("", core.home, name="home"),
    path("projects/<id:project_id>/", core.project_detail, name="project-detail"),
    *tokens.urlpatterns,
    *workspace.urlpatterns,
    *exports.urlpatterns,
    *workflow.urlpatterns,
    *agreement.urlpatterns,
    *analysis.urlpatterns,
    *setup.urlpatterns,
    *codebook.urlpatterns,
]

urlpatterns = [
    path("", include((app_patterns, "annotator"))),
    # Django's login view with a limit on failed attempts per IP and username.
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("annotator.api.urls")),
    *health.urlpatterns,
]
