"""On the demo data, the page, the JSON download and the command show the very numbers that
``compute_report`` gives on the selector's output: no layer recomputes or rounds differently."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from annotator.agreement import compute_report
from annotator.models import Project
from annotator.reports.compute import software_version
from annotator.reports.presentation import fmt
from annotator.selectors.agreement import agreement_input

PARAMS = {"bootstrap": "60", "seed": "7"}


@pytest.fixture
def direct(db):
    call_command("seed_demo", "--force", "--password", "pw", verbosity=0)
    project = Project.objects.get(pk=1)
    documents, codes, coders = agreement_input(project=project)
    return compute_report(
        documents, codes=codes, coders=coders, bootstrap=60, seed=7, software=software_version()
    )


@pytest.fixture
def cora(client, direct):
    client.force_login(get_user_model().objects.get(username="cora"))
    return client


def shown(est) -> str:
    if est.value is None:
        return "undefined"
    ci = f" [{fmt(est.ci_low)}, {fmt(est.ci_high)}]" if est.ci_low is not None else ""
    return fmt(est.value) + ci


def page_cells(html: str) -> dict[str, list[str]]:
    """Per-code table: row label -> the cells' text ("0.582 [0.472, 0.693]" or "undefined")."""
    table = html.split('id="per-code-table"')[1].split("</table>")[0]
    rows = {}
    for label, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, flags=re.S):
        texts = []
        for cell in re.findall(r"<td>(.*?)</td>", cells, flags=re.S):
            if "<summary>undefined</summary>" in cell:
                texts.append("undefined")
            else:
                texts.append(" ".join(re.findall(r'class="(?:value|ci)">([^<]+)<', cell)))
        rows[label] = texts
    return rows


ATTRS = [
    "unitized_alpha",
    "char_alpha",
    "token_alpha",
    "cohen_kappa_mean",
    "fleiss_kappa",
    "span_f1_exact_mean",
    "span_f1_overlap_mean",
    "percent_agreement",
]


def test_it_shows_on_the_page_the_numbers_of_compute_report(cora, direct):
    html = cora.get(reverse("annotator:agreement-results", args=[1]), PARAMS).content.decode()
    cells = page_cells(html)
    for row in (*direct.per_code, direct.overall):
        label = row.code if row.code is not None else "All codes (pooled)"
        assert cells[label] == [shown(getattr(row, a)) for a in ATTRS], label
    assert any(c == "undefined" for c in cells["All codes (pooled)"])  # Fleiss: carol missing


def test_it_downloads_json_equal_to_compute_report(cora, direct):
    url = reverse("annotator:agreement-download", args=[1, "report.json"])
    data = json.loads(cora.get(url, PARAMS).content)
    for extra in ("methods_paragraph", "methods_appendix", "notes"):
        data.pop(extra)
    assert data == direct.to_dict()


def test_it_prints_from_the_command_the_numbers_of_compute_report(direct):
    out = io.StringIO()
    call_command("agreement", "1", "--bootstrap", "60", "--seed", "7", "--format", "json",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    assert json.loads(out.getvalue()) == direct.to_dict()
