"""Reads about versions: the span of a set of codings, one version's codes for a .qdc, the
workspace banner and its "Got it"."""

import dataclasses

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from annotator.exports.refi import write_qdc
from annotator.models import Annotation, Code, CodebookSeen, Document
from annotator.selectors.codebooks import (
    annotations_of_version,
    codebook_banner,
    codebook_versions_spanned,
    version_code_rows,
)
from annotator.selectors.exports import export_project
from annotator.services import annotation_create
from annotator.services import codebooks as cb
from tests.conftest import ROLES


@pytest.fixture
def history(demo_project, members):
    """Codings under no version, version 1 and version 3 (Iran renamed in version 2)."""
    coder, manager, book = members["annotator"], members["manager"], demo_project.codebook
    document = Document.objects.get(pk=1)

    def coding(start):
        code = Code.objects.get(pk=3)
        annotation_create(
            document=document, coder=coder, code=code, start_offset=start, end_offset=start + 2
        )

    coding(0)
    cb.codebook_publish(codebook=book, user=manager, note="first")
    coding(2)
    cb.code_edit(code=Code.objects.get(pk=3), user=manager, data={"name": "Persia"})
    cb.codebook_publish(codebook=book, user=manager, note="renamed")
    cb.code_edit(code=Code.objects.get(pk=3), user=manager, data={"color": "#123456"})
    cb.codebook_publish(codebook=book, user=manager, note="recoloured")
    coding(4)
    coding(6)
    return demo_project


def test_it_states_the_versions_a_set_of_codings_spans(history):
    spanned = codebook_versions_spanned(history, Annotation.objects.all())
    assert (spanned.numbers, spanned.counts, spanned.unversioned) == ((1, 3), {1: 1, 3: 2}, 1)
    assert spanned.label == "codebook versions 1, 3 (and 1 coding(s) made without a version)"
    narrowed = annotations_of_version(Annotation.objects.all(), 3)
    assert codebook_versions_spanned(history, narrowed).label == "codebook version 3"
    assert codebook_versions_spanned(history, Annotation.objects.none()).label == (
        "no codebook version"
    )


def test_a_qdc_carries_the_chosen_version(history):
    rows = version_code_rows(history, 1)
    qdc = write_qdc(dataclasses.replace(export_project(history), codes=rows)).decode()
    assert 'name="Iran"' in qdc and "Persia" not in qdc
    assert 'name="Persia"' in write_qdc(export_project(history)).decode()
    assert version_code_rows(history, 9) is None


def _banner_html(project, user) -> str:
    request = RequestFactory().get("/projects/1/documents/1/")
    request.user = user
    template = Template("{% load codebook_tags %}{% codebook_banner project %}")
    return template.render(Context({"request": request, "project": project}))


def test_the_banner_shows_the_version_and_what_changed_since_the_coder_last_looked(
    history, members
):
    coder = members["annotator"]
    assert codebook_banner(history, coder).seen is None
    html = _banner_html(history, coder)
    assert "Codebook version 3: recoloured." in html and "New to you" in html
    cb.codebook_seen(codebook=history.codebook, user=coder)
    assert "Got it" not in _banner_html(history, coder)
    cb.code_edit(code=Code.objects.get(pk=3), user=members["manager"], data={"name": "Iran"})
    cb.codebook_publish(codebook=history.codebook, user=members["manager"], note="back")
    html = _banner_html(history, coder)
    assert "Changed since you last looked (version 3)" in html and "Persia is now Iran" in html


@pytest.mark.parametrize("role", ROLES)
def test_got_it_is_for_every_member(client_as, history, members, role):
    url = reverse("annotator:codebook-seen", args=[1])
    response = client_as(role).post(url, {"next": "/projects/1/documents/1/"})
    expected = {"outsider": 404, "anonymous": 302}.get(role, 302)
    assert response.status_code == expected
    seen = CodebookSeen.objects.filter(user=members.get(role)).first() if role in members else None
    if role in ("manager", "curator", "annotator"):
        assert response["Location"] == "/projects/1/documents/1/"
        assert seen.version.number == 3
    else:
        assert not CodebookSeen.objects.exists()


def test_got_it_never_redirects_elsewhere(client_as, history):
    response = client_as("annotator").post(
        reverse("annotator:codebook-seen", args=[1]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/projects/1/"


def test_the_history_for_the_archive_is_plain_json(history):
    import json

    from annotator.selectors.codebooks import codebook_history_rows

    data = json.loads(json.dumps(codebook_history_rows(history.codebook_id)))
    assert [v["number"] for v in data["versions"]] == [1, 2, 3]
    renamed = [c for c in data["changes"] if c["after"] and c["after"]["name"] == "Persia"][0]
    assert (renamed["user"], renamed["before"]["name"], renamed["version"]) == (
        "manager",
        "Iran",
        2,
    )
