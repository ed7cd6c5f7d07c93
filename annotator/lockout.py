"""The lockout policy shared by the login page and the API token endpoint (django-axes).

django-axes records every failed login in the database (so every worker process sees the same
count) under the pair (client address, username). ``AXES_FAILURE_LIMIT`` failures of one pair
lock that pair for ``AXES_COOLOFF_TIME``: the same address may still log in as someone else, and
the user may still log in from another address, so nobody can lock a victim out. The client
address is the connection's, or, behind ``ANNOTATOR_TRUSTED_PROXIES`` reverse proxies, the one
the outermost of them saw (``client_ip``): a client-written X-Forwarded-For changes nothing.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render

TOO_MANY = "Too many failed login attempts for this account from your address. Try again later."


def client_ip(request) -> str:
    """The client's address under the deployment's proxy policy (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.ANNOTATOR_TRUSTED_PROXIES
    if proxies == 0:
        return remote
    # Each trusted proxy appends the address it received the request from; entries to the left
    # of the one our outermost proxy appended were written by the client and are not trusted.
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def retry_after() -> str:
    return str(int(float(settings.AXES_COOLOFF_TIME) * 3600))


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login attempt gets (``AXES_LOCKOUT_CALLABLE``): 429 with a message —
    JSON on the API, the login page with the message inline elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": TOO_MANY}, status=429)
    else:
        form = AuthenticationForm(request, data=request.POST or None)
        form.errors.clear()
        form.add_error(None, TOO_MANY)
        response = render(
            request,
            "registration/login.html",
            {"form": form, "next": request.POST.get("next", "")},
            status=429,
        )
    response["Retry-After"] = retry_after()
    return response
