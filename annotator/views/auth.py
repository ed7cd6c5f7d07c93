"""The login page, rate-limited against password guessing.

After ``LOGIN_FAILURES_PER_MINUTE`` failed attempts for one username from one address within a
minute, further attempts answer 429 without checking the password until the minute is over.
Only failures count, so a user who logs in often is never locked out. The counter lives in the
default cache (per process with the local-memory cache; share a cache between workers to make
the limit global).
"""

from django.contrib.auth import views as auth_views
from django.core.cache import cache

LOGIN_FAILURES_PER_MINUTE = 20
WINDOW_SECONDS = 60
TOO_MANY = "Too many failed login attempts. Wait a minute and try again."


def _key(request) -> str:
    username = request.POST.get("username", "")[:150].lower()
    return f"login-failures:{request.META.get('REMOTE_ADDR', '')}:{username}"


class LoginView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        key = _key(request)
        if cache.get(key, 0) >= LOGIN_FAILURES_PER_MINUTE:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request)
        # add() starts the window only if none is running; incr() then counts within it.
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # the window expired between add() and incr()
            cache.set(key, 1, WINDOW_SECONDS)
        return super().form_invalid(form)
