"""The agreement report page, its htmx results fragment, downloads and plots."""

import csv
import io
import json
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document
from annotator.reports import files

ROUTES = {
    "agreement-report": [],
    "agreement-results": [],
    "agreement-document": [1],
    "agreement-download": ["coefficients.csv"],
    "agreement-plot": ["heatmap", "png"],
}
EXPECTED = {"manager": 200, "curator": 200, "annotator": 403, "outsider": 404}
FAST = {"bootstrap": "20"}


@pytest.fixture
def codes(demo_project):
    return {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}


def code(members, codes, coder, doc, name, start, end):
    return services.annotation_create(
        document=Document.objects.get(pk=doc),
        coder=members[coder],
        code=codes[name],
        start_offset=start,
        end_offset=end,
    )[0]


@pytest.fixture
def coded(demo_project, members, codes):
    """Two annotators finished documents 1 and 2 with partly agreeing Iran and trade spans."""
    for coder, doc, name, start, end in [
        ("annotator", 1, "Iran", 0, 100),
        ("annotator2", 1, "Iran", 20, 100),
        ("annotator", 2, "trade", 10, 60),
        ("annotator2", 2, "trade", 10, 50),
        ("annotator2", 2, "Iran", 200, 260),
    ]:
        code(members, codes, coder, doc, name, start, end)
    for coder in ("annotator", "annotator2"):
        for doc in (1, 2):
            services.document_status_set(
                document=Document.objects.get(pk=doc), coder=members[coder], state="done"
            )
    return codes


def url(name, project_id=1):
    return reverse(f"annotator:{name}", args=[project_id, *ROUTES[name]])


@pytest.mark.parametrize("role", ["manager", "curator", "annotator", "outsider", "anonymous"])
@pytest.mark.parametrize("name", list(ROUTES))
def test_it_lets_only_curators_and_managers_see_the_report(client_as, coded, role, name):
    response = client_as(role).get(url(name), FAST)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == EXPECTED[role]


def test_it_answers_404_for_a_project_that_does_not_exist(client_as, coded):
    assert client_as("curator").get(url("agreement-report", project_id=999)).status_code == 404


def test_it_renders_the_page_at_once_with_a_progress_indicator(client_as, coded):
    response = client_as("curator").get(url("agreement-report"), {"bootstrap": "250"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="load"' in html
    assert "Computing… bootstrap of 250 replicates" in html
    assert reverse("annotator:agreement-results", args=[1]) + "?" in html
    assert 'id="per-code-table"' not in html  # nothing computed yet
    assert "<noscript>" in html


def test_it_answers_htmx_with_the_results_fragment_only(client_as, coded):
    response = client_as("curator").get(url("agreement-results"), FAST, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="agreement-results"')
    assert "<html" not in html
    assert 'id="per-code-table"' in html
    assert "HX-Request" in response["Vary"]


def test_it_computes_the_full_page_without_javascript(client_as, coded):
    response = client_as("curator").get(url("agreement-results"), FAST)
    html = response.content.decode()
    assert "<html" in html
    assert 'id="per-code-table"' in html
    assert 'id="agreement-filters"' in html
    assert 'hx-trigger="load"' not in html


def test_it_shows_tables_plots_methods_and_download_links(client_as, coded):
    html = client_as("curator").get(url("agreement-results"), FAST).content.decode()
    for table in ("per-code-table", "coder-matrix", "pair-table", "document-table"):
        assert f'id="{table}"' in html
    assert reverse("annotator:agreement-plot", args=[1, "heatmap", "png"]) in html
    assert reverse("annotator:agreement-plot", args=[1, "per-code", "png"]) in html
    assert '<textarea id="methods-text" readonly' in html
    assert "Inter-coder agreement was computed on 2 of 5 documents" in html
    for name in files.file_names() + [files.ZIP_NAME]:
        assert reverse("annotator:agreement-download", args=[1, name]) in html
    drill = reverse("annotator:agreement-document", args=[1, 1])
    assert drill + "?" in html
    assert 'style="' not in html and "<script>" not in html


def test_it_shows_undefined_with_its_reason(client_as, coded):
    html = client_as("curator").get(url("agreement-results"), FAST).content.decode()
    # Nobody applied "tension": every coefficient of that code is undefined, with the reason.
    assert "<summary>undefined</summary>" in html
    assert "all coders used a single value for code &#x27;tension&#x27;" in html


def test_it_reflects_a_new_coding(client_as, coded, members):
    client = client_as("curator")
    before = json.loads(
        client.get(url("agreement-download").replace(".csv", ".json"), FAST).content
    )
    code(members, coded, "annotator2", 1, "Iran", 0, 20)
    after = json.loads(client.get(url("agreement-download").replace(".csv", ".json"), FAST).content)

    def iran_alpha(rows):
        return next(
            r["value"]
            for r in rows
            if r["code"] == "Iran" and r["coefficient"] == "Krippendorff's alpha_u"
        )

    assert iran_alpha(after) != iran_alpha(before)
    # annotator2 now has [0, 20) and [20, 100) against annotator's [0, 100). alpha_u keeps
    # touching units of one coder apart (Krippendorff 1995, examples B and D: one unit against
    # two abutting units is a boundary disagreement), so Iran's alpha_u drops.
    assert iran_alpha(after) < iran_alpha(before)


@pytest.mark.parametrize(
    "params", [{"bootstrap": "-1"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"}]
)
def test_it_shows_invalid_filters_inline(client_as, coded, params):
    response = client_as("curator").get(url("agreement-report"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'hx-trigger="load"' not in html


def test_it_refuses_a_download_with_invalid_filters(client_as, coded):
    response = client_as("curator").get(url("agreement-download"), {"seed": "x"})
    assert response.status_code == 400
    assert b"Invalid report filters" in response.content


def test_it_reports_a_project_nobody_has_coded_yet(client_as, members):
    client = client_as("curator")
    response = client.get(url("agreement-results"), FAST)
    assert response.status_code == 200
    assert b"no non-empty document is coded by two or more counted coders" in response.content
    plot = client.get(reverse("annotator:agreement-plot", args=[1, "heatmap", "png"]), FAST)
    assert plot.content.startswith(b"\x89PNG")


def test_it_rejects_an_unknown_code_as_a_filter_error(client_as, coded):
    response = client_as("curator").get(url("agreement-results"), {"codes": ["999"], **FAST})
    assert response.status_code == 400


def test_it_explains_inline_when_the_codebook_has_no_code(client_as, members, demo_project):
    Code.objects.filter(codebook=demo_project.codebook).delete()
    response = client_as("curator").get(url("agreement-results"), FAST, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert b"no code is left" in response.content
    assert b'role="alert"' in response.content


@pytest.mark.parametrize("name", ["nope.csv", "coefficients.exe", "..%2Fsettings.py"])
def test_it_answers_404_for_an_unknown_file(client_as, coded, name):
    response = client_as("curator").get(
        reverse("annotator:agreement-download", args=[1, "x"]).replace("/x", "/" + name)
    )
    assert response.status_code == 404


def test_it_answers_404_for_an_unknown_plot(client_as, coded):
    response = client_as("curator").get(
        reverse("annotator:agreement-plot", args=[1, "pie", "svg"]), FAST
    )
    assert response.status_code == 404


def download(client, name, params=FAST):
    response = client.get(reverse("annotator:agreement-download", args=[1, name]), params)
    assert response.status_code == 200, name
    assert response["Content-Type"] == files.content_type(name)
    assert f'filename="agreement-{name}"' in response["Content-Disposition"]
    return response.content


def test_it_downloads_csv_tables_that_parse(client_as, coded):
    client = client_as("curator")
    for table in files.TABLES:
        rows = list(csv.DictReader(io.StringIO(download(client, f"{table}.csv").decode())))
        assert rows, table
    coefficients = list(csv.DictReader(io.StringIO(download(client, "coefficients.csv").decode())))
    assert {"Iran", "trade", "all codes (pooled)"} <= {r["code"] for r in coefficients}


def test_it_downloads_json_that_loads(client_as, coded):
    client = client_as("curator")
    report = json.loads(download(client, "report.json"))
    assert report["codes"] == ["cooperation", "tension", "Iran", "Syria", "trade"]
    assert report["meta"]["replicates"] == 20
    assert report["methods_paragraph"].startswith("Inter-coder agreement")
    assert isinstance(json.loads(download(client, "documents.json")), list)


def test_it_downloads_markdown_latex_and_methods(client_as, coded):
    client = client_as("curator")
    markdown = download(client, "coefficients.md").decode()
    latex = download(client, "coefficients.tex").decode()
    methods = download(client, "methods.txt").decode()
    for name in ("Iran", "trade", "cooperation"):
        assert name in markdown and name in latex
    assert markdown.startswith("| code |")
    assert latex.startswith("\\begin{tabular}")
    assert "seed 12345" in methods and "20 replicates" in methods


def test_it_downloads_svg_and_png_plots(client_as, coded):
    client = client_as("curator")
    for plot in ("heatmap", "per-code"):
        svg = download(client, f"{plot}.svg")
        assert ElementTree.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 - our own plot output
        assert download(client, f"{plot}.png").startswith(b"\x89PNG\r\n\x1a\n")
        response = client.get(reverse("annotator:agreement-plot", args=[1, plot, "png"]), FAST)
        assert response["Content-Type"] == "image/png"


def test_it_downloads_a_zip_of_every_file(client_as, coded):
    archive = zipfile.ZipFile(io.BytesIO(download(client_as("curator"), files.ZIP_NAME)))
    assert sorted(archive.namelist()) == sorted(f"agreement/{n}" for n in files.file_names())
    assert archive.testzip() is None


def test_it_narrows_the_report_with_the_filters(client_as, coded):
    params = {"codes": [str(coded["trade"].pk)], "documents": ["2"], **FAST}
    report = json.loads(download(client_as("curator"), "report.json", params))
    assert report["codes"] == ["trade"]
    assert [d["id"] for d in report["documents"]] == [2]


def test_the_page_states_the_variant_the_narrowing_the_design_and_defined_replicates(
    client_as, coded, members, codes
):
    # An overlapping second Iran span of annotator on document 1: merged for alpha_u.
    code(members, codes, "annotator", 1, "Iran", 50, 150)
    params = {**FAST, "coders": ["annotator", "annotator2"], "date_from": "2000-01-01"}
    html = client_as("curator").get(url("agreement-results"), params).content.decode()
    assert "DKPro Statistics" in html and "not the 2016 u-alpha family" in html
    assert 'id="report-narrowing"' in html
    assert "Coders: annotator, annotator2 only." in html
    assert "marked it done on or after 2000-01-01" in html
    assert "annotator 2, annotator2 2" in html  # the coding design
    assert "of 20 replicates defined" in html
    assert 'id="few-documents"' in html and "0.80 at 5 documents" in html
    assert 'class="warning unitized-note"' in html and "merged" in html
    assert 'id="methods-appendix"' in html and "Sociological Methodology" in html
    plain = client_as("curator").get(url("agreement-results"), FAST).content.decode()
    assert "None: all documents, coders and codes" in plain


def test_the_csv_downloads_carry_defined_replicates_and_a_metadata_table(client_as, coded):
    client = client_as("curator")
    params = {**FAST, "date_to": "2999-12-31"}
    body = client.get(
        reverse("annotator:agreement-download", args=[1, "metadata.csv"]), params
    ).content.decode()
    rows = {r["item"]: r["value"] for r in csv.DictReader(io.StringIO(body))}
    assert "DKPro Statistics" in rows["alpha_u variant"]
    assert "on or before 2999-12-31" in rows["narrowing"]
    assert "commit" in rows["software"] or rows["software"].startswith("Annotator")
    coefficients = client.get(
        reverse("annotator:agreement-download", args=[1, "coefficients.csv"]), params
    ).content.decode()
    header = next(csv.reader(io.StringIO(coefficients)))
    assert "replicates_defined" in header and "replicates" in header


def test_the_page_says_where_gamma_is_computed(client_as, coded):
    html = client_as("curator").get(url("agreement-results"), FAST).content.decode()
    assert 'id="gamma-note"' in html and "manage.py agreement 1 --gamma" in html
