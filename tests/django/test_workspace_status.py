"""Marking a document done or reopening it, and going to the next document."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def docs(demo_project):
    return list(Document.objects.filter(project=demo_project).order_by("order", "id"))


def status_url(doc):
    return reverse("annotator:document-status", args=[doc.project_id, doc.pk])


def next_url(doc):
    return reverse("annotator:document-next", args=[doc.project_id, doc.pk])


def annotate_url(doc):
    return reverse("annotator:document-annotate", args=[doc.project_id, doc.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_it_applies_the_access_matrix(client_as, docs, role, status):
    response = client_as(role).post(status_url(docs[0]), {"state": "done"}, headers=HX)
    assert response.status_code == status
    assert DocumentStatus.objects.filter(state="done").count() == (status == 200)


def test_it_marks_done_and_reopens_with_an_htmx_fragment(client_as, docs, members):
    client = client_as("annotator")
    done = client.post(status_url(docs[0]), {"state": "done"}, headers=HX)
    assert done.text.lstrip().startswith('<div id="ws-status"') and "Reopen" in done.text
    assert "HX-Request" in done["Vary"]
    reopened = client.post(status_url(docs[0]), {"state": "in_progress"}, headers=HX)
    assert "Mark done" in reopened.text
    assert DocumentStatus.objects.get(coder=members["annotator"]).state == "in_progress"


def test_it_redirects_a_plain_form_post(client_as, docs):
    response = client_as("annotator").post(status_url(docs[0]), {"state": "done"})
    assert response.status_code == 302 and response["Location"] == annotate_url(docs[0])


def test_it_rejects_an_unknown_state(client_as, docs):
    response = client_as("annotator").post(status_url(docs[0]), {"state": "bogus"}, headers=HX)
    assert response.status_code == 422 and not DocumentStatus.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("annotator", 302), ("outsider", 404)])
def test_it_applies_the_access_matrix_to_next(client_as, docs, role, status):
    assert client_as(role).get(next_url(docs[0])).status_code == status


def test_it_goes_to_the_next_document_not_marked_done(client_as, docs, members):
    me = members["annotator"]
    services.document_status_set(document=docs[1], coder=me, state="done")
    # Another coder's status does not matter.
    services.document_status_set(document=docs[2], coder=members["annotator2"], state="done")
    client = client_as("annotator")
    assert client.get(next_url(docs[0]))["Location"] == annotate_url(docs[2])
    # After the last document it wraps round to the first one not done.
    assert client.get(next_url(docs[4]))["Location"] == annotate_url(docs[0])


def test_it_returns_to_the_project_when_everything_is_done(client_as, docs, members):
    for doc in docs:
        services.document_status_set(document=doc, coder=members["annotator"], state="done")
    response = client_as("annotator").get(next_url(docs[0]))
    assert response["Location"] == reverse("annotator:project-detail", args=[docs[0].project_id])
