"""The project page: documents with the user's own status, codings and overall progress."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document

pytestmark = pytest.mark.django_db


def url(project):
    return reverse("annotator:project-detail", args=[project.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_it_applies_the_access_matrix(client_as, demo_project, role, status):
    assert client_as(role).get(url(demo_project)).status_code == status


def test_it_links_each_title_to_the_workspace(client_as, demo_project):
    html = client_as("annotator").get(url(demo_project)).text
    for document in Document.objects.filter(project=demo_project):
        link = reverse("annotator:document-annotate", args=[demo_project.pk, document.pk])
        assert f'<a href="{link}">' in html


def test_it_shows_own_status_codings_and_progress(client_as, demo_project, members):
    first, second, *_ = Document.objects.filter(project=demo_project).order_by("order")
    me, other = members["annotator"], members["annotator2"]
    code = Code.objects.get(pk=1)
    for start in (0, 10, 20):
        services.annotation_create(
            document=first, coder=me, code=code, start_offset=start, end_offset=start + 5
        )
    services.annotation_create(document=first, coder=other, code=code, start_offset=0, end_offset=5)
    services.document_status_set(document=second, coder=me, state="done")
    services.document_status_set(document=second, coder=other, state="done")
    response = client_as("annotator").get(url(demo_project))
    rows = {d.pk: d for d in response.context["documents"]}
    assert (rows[first.pk].my_state, rows[first.pk].my_codings) == ("in_progress", 3)
    assert (rows[second.pk].my_state, rows[second.pk].my_codings, rows[second.pk].done_by) == (
        "done",
        0,
        2,
    )
    html = response.text
    assert "Your progress: 1 of 5 done" in html and 'value="1"' in html
    assert "In progress" in html and "Not started" in html


def test_it_uses_a_constant_number_of_queries(
    client_as, demo_project, members, django_assert_max_num_queries
):
    client = client_as("annotator")
    code = Code.objects.get(pk=1)
    for document in Document.objects.filter(project=demo_project):
        for user in members.values():
            services.annotation_create(
                document=document, coder=user, code=code, start_offset=0, end_offset=4
            )
            services.document_status_set(document=document, coder=user, state="done")
    # Session, user, membership, documents with counts, statuses, members, assignments.
    with django_assert_max_num_queries(7):
        assert client.get(url(demo_project)).status_code == 200
