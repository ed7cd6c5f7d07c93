"""The per-document drill-down of the agreement report."""

import json
import re

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document
from annotator.selectors import workspace as ws


@pytest.fixture
def coded(demo_project, members):
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    doc = Document.objects.get(pk=1)
    for coder, name, start, end in [
        ("annotator", "Iran", 12, 40),
        ("annotator2", "Iran", 15, 40),
        ("annotator", "trade", 100, 120),
        ("annotator2", "trade", 100, 120),
        ("curator", "Syria", 0, 5),
    ]:
        services.annotation_create(
            document=doc, coder=members[coder], code=codes[name], start_offset=start,
            end_offset=end, normalise=False,  # offsets as given: the test counts characters
        )  # fmt: skip
    for coder in ("annotator", "annotator2"):
        services.document_status_set(document=doc, coder=members[coder], state="done")
    return codes


def script_data(html, data_id):
    """The JSON of a ``json_script`` block of the page."""
    found = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def drill(client, doc=1, **params):
    return client.get(reverse("annotator:agreement-document", args=[1, doc]), params)


def test_it_shows_each_counted_coder_in_a_column(client_as, coded):
    html = drill(client_as("curator")).content.decode()
    columns = re.findall(r'<section class="coder-column"[^>]*>\s*<h2[^>]*>(\w+)', html)
    assert columns == ["annotator", "annotator2"]
    assert html.count('class="doc-text report-text"') == 2


def test_it_names_coders_who_do_not_count(client_as, coded):
    html = drill(client_as("curator")).content.decode()
    assert "Not counted" in html and "curator" in html.split("Not counted")[1].split("</p>")[0]


def test_it_lists_and_marks_every_disagreement(client_as, coded):
    html = drill(client_as("curator")).content.decode()
    assert "Disagreements (1)" in html
    row = html.split('id="disagreements"')[1].split("</tbody>")[0]
    assert "Iran" in row and "[12, 15)" in row
    assert "annotator [12, 40)" in row
    assert "annotator2" in row
    # Each column frames the disputed run [12, 15) of the text (painted by the page's script).
    assert script_data(html, "disagreement-runs") == [12, 15]
    assert html.count('data-disagreements="disagreement-runs"') == 2


def test_it_renders_the_columns_as_the_workspace_side_by_side_view(client_as, coded):
    """The same plain paragraphs in each column, each coder's codings as data for marks.js,
    styled by the workspace's highlight rules."""
    html = drill(client_as("curator")).content.decode()
    iran, trade = coded["Iran"].pk, coded["trade"].pk
    assert script_data(html, "codings-1") == [0, iran, 12, 40, 1, trade, 100, 120]
    assert script_data(html, "codings-2") == [0, iran, 15, 40, 1, trade, 100, 120]
    columns = html.split('id="coder-columns"')[1].split('aria-labelledby="dis-h"')[0]
    paragraphs = ws.text_html(Document.objects.get(pk=1).text, id_prefix=None)
    assert columns.count(paragraphs) == 2
    assert "<mark" not in columns and "rhl" not in columns
    assert f"::highlight(c{trade}t0) {{ background-color:" in html
    assert "annotator/js/marks.js" in html and "annotator/js/drilldown.js" in html
    assert 'style="' not in html


def test_it_tables_offsets_and_coded_text(client_as, coded):
    html = drill(client_as("curator")).content.decode()
    table = html.split('id="codings"')[1].split("</table>")[0]
    text = Document.objects.get(pk=1).text
    assert "<td>12</td><td>40</td>" in table
    assert text[100:120].split()[0] in table


def test_it_narrows_to_the_reports_codes(client_as, coded):
    html = drill(client_as("curator"), codes=[str(coded["trade"].pk)]).content.decode()
    assert "Disagreements (0)" in html
    assert "The counted coders agree on every character." in html


def test_it_says_so_when_fewer_than_two_coders_count(client_as, coded):
    html = drill(client_as("curator"), doc=3).content.decode()
    assert "No coder has finished this document yet" in html
    assert "Fewer than two coders count for this document." in html


def test_it_answers_404_for_a_document_of_another_project(client_as, coded):
    assert drill(client_as("curator"), doc=999).status_code == 404


def test_it_refuses_invalid_filters(client_as, coded):
    assert drill(client_as("curator"), bootstrap="lots").status_code == 400
