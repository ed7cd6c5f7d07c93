"""The account page where a user creates, regenerates and revokes their API token.

A key is shown once, right after it is created, and never again: the page only says whether a
token exists. Regenerating replaces the old key, so scripts using it stop working at once.
"""

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

TEMPLATE = "annotator/account/token.html"


@require_http_methods(["GET", "POST"])
def account_token(request):
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            Token.objects.filter(user=request.user).delete()
            new_key = Token.objects.create(user=request.user).key
        elif action == "revoke":
            Token.objects.filter(user=request.user).delete()
        else:
            return HttpResponseBadRequest("Unknown action.")
    token = Token.objects.filter(user=request.user).only("created").first()
    return render(request, TEMPLATE, {"token": token, "new_key": new_key})


urlpatterns = [
    path("account/token/", account_token, name="account-token"),
]
