"""Structured request logs: one JSON line per request, for a log collector to aggregate.

Each line holds the method, the route's name (not the path: no user text, no query string),
the status, the duration in milliseconds, whether the caller was signed in, and the user's id.
Never a body, a header, a query string or a secret.
"""

import json
import logging
import time

logger = logging.getLogger("annotator.requests")


class JsonFormatter(logging.Formatter):
    """Render a record whose ``msg`` is a dict as one JSON object with time and level."""

    def format(self, record: logging.LogRecord) -> str:
        payload = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        return json.dumps(
            {
                "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                "level": record.levelname,
                "logger": record.name,
                **payload,
            },
            separators=(",", ":"),
            default=str,
        )


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        logger.info(
            {
                "event": "request",
                "method": request.method,
                "route": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if signed_in else None,
            }
        )
        return response
