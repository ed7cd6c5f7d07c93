"""The login page; its lockout policy (django-axes) is in ``annotator/lockout.py``, shared
with the API token endpoint."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login view; ``authenticate`` receives the request, so django-axes counts it."""
