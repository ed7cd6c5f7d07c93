"""The throttled token endpoint: username and password in, the user's API token out."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.throttling import ScopedRateThrottle

from .base import errors, exception_handler
from .serializers import TokenOutput


class TokenObtainApi(ObtainAuthToken):
    # No authentication: this is how a script gets in. 20 attempts a minute per client (the
    # "token" rate in settings) stop password guessing; more answer 429.
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return exception_handler

    @extend_schema(
        tags=["auth"],
        summary="Your API token (created on first use); send it as `Authorization: Token <key>`",
        responses={200: TokenOutput, **errors(400, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
