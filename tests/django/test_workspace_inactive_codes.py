"""A deactivated code keeps its colour and name wherever its existing codings appear
(workspace text and list, coding panel, one coder's view, side by side, drill-down), and is
not offered for new codings (no button, no shortcut; a forged request is refused)."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, Document
from annotator.templatetags.annotator_tags import tint

pytestmark = pytest.mark.django_db

TITLE = "Israel, Russia... Are They Friends or Enemies?"


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title=TITLE)


@pytest.fixture
def trade(demo_project):
    return Code.objects.get(codebook=demo_project.codebook, name="trade")


@pytest.fixture
def retired(doc, trade, members):
    """Codings of "trade" by two annotators, then "trade" is deactivated."""
    made = [
        services.annotation_create(
            document=doc, coder=members[role], code=trade, start_offset=6, end_offset=12
        )[0]
        for role in ("annotator", "annotator2")
    ]
    trade.is_active = False
    trade.save()
    return made


def page(client, doc, **params):
    return client.get(
        reverse("annotator:document-annotate", args=[doc.project_id, doc.pk]), params
    ).text


def test_it_keeps_the_colour_and_name_of_a_deactivated_codes_codings(
    client_as, doc, trade, retired
):
    html = page(client_as("annotator"), doc)
    mine = retired[0]
    assert f"[{mine.pk}, {trade.pk}, 6, 12]" in html  # painted by the page's script
    assert f"::highlight(c{trade.pk}t0) {{ background-color: {tint(trade.color)};" in html
    assert f".sw-c{trade.pk} {{ background: {trade.color}; }}" in html
    list_url = reverse("annotator:annotation-list", args=[doc.project_id, doc.pk])
    listed = client_as("annotator").get(list_url).text
    assert f'<span class="swatch sw-c{trade.pk}"></span> trade</a>' in listed
    assert f".sw-c{trade.pk} {{ background: {trade.color}; }}" in listed


def test_it_offers_no_button_or_shortcut_for_a_deactivated_code(client_as, doc, trade, retired):
    html = page(client_as("annotator"), doc)
    assert f'value="{trade.pk}"' not in html and f'data-code="{trade.pk}"' not in html
    assert f"<kbd>{trade.shortcut}</kbd> trade" not in html
    assert 'data-shortcut="1"' in html  # active codes still are offered


def test_it_refuses_a_new_coding_of_a_deactivated_code(client_as, doc, trade, retired):
    url = reverse("annotator:annotation-create", args=[doc.project_id, doc.pk])
    before = Annotation.objects.count()
    response = client_as("annotator").post(
        url, {"code": trade.pk, "start": 20, "end": 30}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert Annotation.objects.count() == before


def test_it_keeps_the_colour_in_the_read_only_views_and_the_panel(
    client_as, doc, trade, retired, members
):
    curator = client_as("curator")
    theirs = retired[1]
    one = page(curator, doc, coder=members["annotator2"].pk)
    assert f"[{theirs.pk}, {trade.pk}, 6, 12]" in one
    assert f"::highlight(c{trade.pk}t0) {{ background-color: {tint(trade.color)};" in one
    assert f'code-chip code-c{trade.pk}">trade</span> <span class="meta">(inactive)' in one
    both = page(curator, doc, coder="all")
    assert (
        f"[{retired[0].pk}, {trade.pk}, 6, 12]" in both
        and f"[{theirs.pk}, {trade.pk}, 6, 12]" in both
    )
    assert f"::highlight(c{trade.pk}t0) {{ background-color: {tint(trade.color)};" in both
    panel_url = reverse("annotator:annotation-panel", args=[doc.project_id, doc.pk])
    panel = curator.get(panel_url, {"ids": theirs.pk}).text
    assert f"sw-c{trade.pk}" in panel and f".sw-c{trade.pk} {{ background: {trade.color}" in panel


def test_it_keeps_the_colour_in_the_drill_down(client_as, doc, trade, retired, members):
    for role in ("annotator", "annotator2"):
        services.document_status_set(document=doc, coder=members[role], state="done")
    url = reverse("annotator:agreement-document", args=[doc.project_id, doc.pk])
    html = client_as("curator").get(url).text
    assert html.count(f", {trade.pk}, 6, 12]") + html.count(f", {trade.pk}, 6, 12,") == 2
    assert f"::highlight(c{trade.pk}t0) {{ background-color: {tint(trade.color)};" in html
