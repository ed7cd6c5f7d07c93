"""``manage.py agreement``: printed table and methods, export files, bad input exits 1."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator import services
from annotator.models import Code, Document
from annotator.reports import files


@pytest.fixture
def coded(demo_project, members):
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    for doc_id in (1, 2):
        doc = Document.objects.get(pk=doc_id)
        for coder, start in (("annotator", 0), ("annotator2", 5)):
            services.annotation_create(
                document=doc, coder=members[coder], code=codes["Iran"], start_offset=start,
                end_offset=50,
            )  # fmt: skip
            services.document_status_set(document=doc, coder=members[coder], state="done")
    return codes


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("agreement", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_per_code_table_and_the_methods_paragraph(coded):
    out, _ = run("1", "--bootstrap", "30")
    assert "Iran" in out and "Krippendorff's alpha_u (continuum)" in out
    assert "all codes (pooled)" in out
    assert "Inter-coder agreement was computed on 2 of 5 documents" in out
    assert "30 replicates" in out and "seed 12345" in out


def test_it_shows_a_progress_bar_for_the_bootstrap_on_stderr(coded, capsys):
    run("1", "--bootstrap", "200")
    captured = capsys.readouterr()
    assert "bootstrap" in captured.err and "200/200" in captured.err
    assert "200/200" not in captured.out


@pytest.mark.parametrize(
    ("fmt", "marker"), [("markdown", "| code |"), ("latex", "\\begin{tabular}")]
)
def test_it_prints_markdown_and_latex(coded, fmt, marker):
    out, _ = run("1", "--bootstrap", "0", "--format", fmt)
    assert out.startswith(marker)
    assert "Iran" in out


def test_it_prints_json_that_loads(coded):
    out, _ = run("1", "--bootstrap", "0", "--format", "json", "--codes", "Iran,trade")
    data = json.loads(out)
    assert data["codes"] == ["Iran", "trade"]
    assert data["meta"]["replicates"] == 0


def test_it_writes_every_export_file(coded, tmp_path):
    target = tmp_path / "out"
    _, err = run("1", "--bootstrap", "10", "--output", str(target))
    assert sorted(p.name for p in target.iterdir()) == sorted(files.file_names())
    assert (target / "heatmap.png").read_bytes().startswith(b"\x89PNG")
    assert "Iran" in (target / "coefficients.tex").read_text()
    assert "Wrote 24 files" in err


def test_it_narrows_by_documents_coders_and_dates(coded):
    out, _ = run("1", "--bootstrap", "0", "--format", "json", "--documents", "1",
                 "--coders", "annotator,annotator2", "--from", "2000-01-01", "--to", "2999-12-31")  # fmt: skip
    data = json.loads(out)
    assert [d["id"] for d in data["documents"]] == [1]
    assert data["coders"] == ["annotator", "annotator2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999"], "no project with id 999"),
        (["1", "--documents", "1,x"], "--documents"),
        (["1", "--documents", "77"], "no document 77"),
        (["1", "--coders", "zed"], "'zed' is not a member"),
        (["1", "--codes", "Mars"], "no code 'Mars'"),
        (["1", "--from", "yesterday"], "--from"),
        (["1", "--from", "2026-02-01", "--to", "2026-01-01"], "--from must not be after --to"),
        (["1", "--bootstrap", "-5"], "--bootstrap"),
    ],
)
def test_it_refuses_bad_input_with_one_line(coded, args, message):
    with pytest.raises(CommandError, match=message) as info:
        run(*args)
    assert "\n" not in str(info.value)


def test_it_exits_1_on_bad_input_from_the_shell(tmp_path):
    # A real process: CommandError becomes one line on stderr and exit status 1.
    db = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"}
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    subprocess.run([sys.executable, str(manage), "migrate", "-v0"], env=env, check=True)
    result = subprocess.run(
        [sys.executable, str(manage), "agreement", "42"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: no project with id 42"


def test_the_command_does_not_import_the_plotting_stack_for_tables():
    """``agreement --format json`` (and every table) never loads matplotlib: only a plot does.
    A fresh interpreter, since other tests of this process may have imported it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'annotator.settings'; "
        "os.environ['DJANGO_DEBUG'] = '1'; django.setup(); "
        "import annotator.management.commands.agreement, annotator.reports.files; "
        "import annotator.views.agreement; "
        "print('matplotlib' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "False"


def test_it_adds_gamma_to_the_json_report_on_request(coded):
    out, _ = run("1", "--bootstrap", "0", "--format", "json", "--gamma")
    data = json.loads(out)
    assert data["gamma"]["settings"].startswith("CombinedCategoricalDissimilarity")
    assert "Computational Linguistics" in data["gamma"]["reference"]
    assert (data["gamma"]["value"] is None) == (data["gamma"]["reason"] is not None)
    assert data["gamma"]["value"] is not None
    assert data["meta"]["unitized_variant"].startswith("Krippendorff's alpha_u")
