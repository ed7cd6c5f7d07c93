"""The export and import pages in a real browser: a narrowed CSV download, an upload that
succeeds, one that is refused inline, and a codings import that shows its coder mapping before
writing (the chosen file stays in the form for the Confirm button), each page checked with axe."""

import csv
import io
import json
import re
from pathlib import Path

from playwright.sync_api import expect


def test_it_downloads_a_codings_csv_narrowed_to_one_coder(demo, page, login, axe_check):
    login("cora")
    page.goto("/projects/1/export/")
    expect(page.get_by_role("heading", name="Export coded data")).to_be_visible()
    axe_check()
    page.get_by_role("radio", name=re.compile(r"^Codings CSV")).check()
    page.get_by_role("group", name="Coders").get_by_role("checkbox", name="alice").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-codings.csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfproject,document_id,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows
    assert {row["coder"] for row in rows} == {"alice"}
    assert all(int(row["end"]) > int(row["start"]) and row["text"] for row in rows)


def test_it_imports_a_text_file_and_says_what_it_added(demo, page, login, axe_check):
    login("admin")
    page.goto("/projects/1/import/")
    axe_check()
    page.get_by_label("What to import").select_option("documents-txt")
    page.get_by_label("Files").set_input_files(
        files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"A short note."}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("1 documents")
    axe_check()


def test_it_shows_an_inline_error_for_a_malformed_jsonl(
    demo, page, login, axe_check, allow_console_error
):
    # Chromium logs the refused upload's 422 answer as a console error; only that one.
    allow_console_error.append(r"status of 422 \(Unprocessable")
    login("admin")
    page.goto("/projects/1/import/")
    page.get_by_label("What to import").select_option("documents-jsonl")
    page.get_by_label("Files").set_input_files(
        files=[
            {
                "name": "broken.jsonl",
                "mimeType": "application/jsonl",
                "buffer": b'{"text": "fine"}\n{"text": \n',
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("broken.jsonl")
    expect(alert).to_contain_text("line 2")
    expect(page.get_by_role("status")).to_have_text("")
    axe_check()


def test_it_shows_the_coder_mapping_before_importing_codings(demo, page, login, axe_check):
    from annotator.models import Annotation, Document

    text = Document.objects.get(pk=1).text
    codings = [
        {"coder": coder, "code": "trade", "start_offset": 0, "end_offset": 3}
        for coder in ("alice", "zoe")
    ]
    line = json.dumps({"text": text, "annotations": codings})
    before = Annotation.objects.count()
    login("admin")
    page.goto("/projects/1/import/")
    page.get_by_label("What to import").select_option("annotations-jsonl")
    page.get_by_label("Files").set_input_files(
        files=[{"name": "c.jsonl", "mimeType": "application/jsonl", "buffer": line.encode()}]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    mapping = page.get_by_role("table")
    expect(mapping).to_contain_text("imported-zoe")
    expect(mapping.get_by_role("row", name=re.compile(r"alice alice member"))).to_be_visible()
    axe_check()
    assert Annotation.objects.count() == before
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("status")).to_contain_text("2 codings")
    assert Annotation.objects.filter(coder__username="imported-zoe").count() == 1
