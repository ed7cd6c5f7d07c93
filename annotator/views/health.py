"""Liveness and readiness probes for a process manager or load balancer.

``/healthz``: the process answers (no database access), so a slow database never gets a healthy
worker restarted. ``/readyz``: the database answers a query, so a load balancer stops sending
traffic to a process that cannot serve it. Both are open to anonymous callers, answer JSON, and
reveal nothing but "ok" or the name of the failing dependency.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "failing": ["database"]}, status=503)
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
