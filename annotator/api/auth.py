"""The token endpoint: username and password in, the user's API token out.

Guarded by the login page's lockout policy (django-axes, see ``lockout.py``): the request is
passed to ``authenticate``, so failures count in the database per (client address, username),
and a locked-out pair gets 429 whatever the password.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..lockout import TOO_MANY, retry_after
from .base import StrictSerializer, errors, exception_handler
from .serializers import TokenOutput


class TokenInput(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class LockedOut(exceptions.Throttled):
    default_detail = TOO_MANY


class TokenObtainApi(APIView):
    # No authentication: this is how a script gets in.
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return exception_handler

    @extend_schema(
        tags=["auth"],
        summary="Your API token (created on first use); send it as `Authorization: Token <key>`",
        request=TokenInput,
        responses={200: TokenOutput, **errors(400, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The Django request, not DRF's wrapper: django-axes marks it when the pair is locked.
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut(wait=int(retry_after()))
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        # A token is a login: the signal records it (last_login) and lets django-axes reset the
        # pair's failures, as the login page does.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
