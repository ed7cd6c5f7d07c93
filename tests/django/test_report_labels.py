"""The report says "(filters apply)" only when a filter narrows it; a deactivated code keeps its
name and colour in the report, its drill-down and the curation page; code names with dollar
signs plot as text (no mathtext), alone and in the ZIP."""

import io
import zipfile

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document
from annotator.reports import files

FAST = {"bootstrap": "20"}
LABEL = '<span class="meta">(filters apply)</span>'


@pytest.fixture
def coded(demo_project, members):
    """Both annotators finished documents 1 and 2, with Iran and trade codings."""
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    for coder, doc, name, start, end in [
        ("annotator", 1, "Iran", 0, 100),
        ("annotator2", 1, "Iran", 20, 100),
        ("annotator", 2, "trade", 10, 60),
        ("annotator2", 2, "trade", 10, 50),
    ]:
        services.annotation_create(
            document=Document.objects.get(pk=doc),
            coder=members[coder],
            code=codes[name],
            start_offset=start,
            end_offset=end,
        )
    for coder in ("annotator", "annotator2"):
        for doc in (1, 2):
            services.document_status_set(
                document=Document.objects.get(pk=doc), coder=members[coder], state="done"
            )
    return codes


def report_page(client, params=None):
    return client.get(reverse("annotator:agreement-report", args=[1]), params or {})


@pytest.mark.parametrize("params", [{}, {"bootstrap": "200", "seed": "7"}])
def test_it_does_not_say_filters_apply_without_a_narrowing_filter(client_as, coded, params):
    response = report_page(client_as("curator"), params)
    assert response.status_code == 200
    assert "(filters apply)" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"documents": ["1"]},
        {"coders": ["annotator"]},
        {"codes": ["3"]},
        {"date_from": "2000-01-01"},
        {"date_to": "2999-01-01"},
        {"gold": "on"},
    ],
)
def test_it_says_filters_apply_when_one_narrows(client_as, coded, params):
    response = report_page(client_as("curator"), {**params, **FAST})
    assert response.status_code == 200
    assert LABEL in response.content.decode()


def test_a_deactivated_code_keeps_its_name_and_colour_in_the_report(client_as, coded):
    Code.objects.filter(name="Iran").update(is_active=False, color="#123456")
    client = client_as("curator")
    results = client.get(reverse("annotator:agreement-results", args=[1]), FAST)
    rows = [row["label"] for row in results.context["code_rows"]]
    assert "Iran" in rows
    drill = client.get(reverse("annotator:agreement-document", args=[1, 1]), FAST)
    body = drill.content.decode()
    iran = coded["Iran"].pk
    assert f"::highlight(c{iran}t0) {{ background-color:" in body
    assert "text-decoration: underline solid 3px #123456;" in body
    assert f".chip-{iran} {{ background: #123456;" in body
    assert f'<span class="code-chip chip-{iran}">Iran</span>' in body


def test_a_deactivated_code_keeps_its_colour_on_the_curation_page(client_as, coded):
    Code.objects.filter(name="Iran").update(is_active=False, color="#123456")
    response = client_as("curator").get(reverse("annotator:curate", args=[1, 1]))
    body = response.content.decode()
    iran = coded["Iran"].pk
    assert f".code-c{iran} {{ background: #123456;" in body
    assert f'<span class="code-chip code-c{iran}">Iran</span>' in body
    # It can no longer be added to the gold standard.
    assert [c.name for c in response.context["codes"]] == [
        "cooperation",
        "tension",
        "Syria",
        "trade",
    ]


@pytest.mark.parametrize("name", ["Money $$", "$x$ and $y", "100% $"])
def test_dollar_signs_in_a_code_name_plot_and_zip(client_as, coded, name):
    Code.objects.filter(name="trade").update(name=name)
    client = client_as("curator")
    for fmt in ("png", "svg"):
        response = client.get(reverse("annotator:agreement-plot", args=[1, "per-code", fmt]), FAST)
        assert response.status_code == 200
    response = client.get(reverse("annotator:agreement-download", args=[1, files.ZIP_NAME]), FAST)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
    assert archive.testzip() is None
    assert name in archive.read("agreement/coefficients.csv").decode()
