"""The login page; its lockout policy (django-axes) is in ``annotator/lockout.py``, shared
with the API token endpoint."""

from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login view; ``authenticate`` receives the request, so django-axes counts it.

    With DEBUG off the session cookie is ``Secure``: a browser on plain HTTP never sends it
    back, so signing in would silently fail. The page says so instead (``insecure_transport``).
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["insecure_transport"] = (
            settings.SESSION_COOKIE_SECURE and not self.request.is_secure()
        )
        return context
