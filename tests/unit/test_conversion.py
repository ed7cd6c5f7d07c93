"""File -> text conversion: paragraphs kept, titles read, unreadable files refused clearly."""

import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from setup_files import make_docx, make_pdf  # noqa: E402

from annotator.services.conversion import convert, html_to_text  # noqa: E402


def test_it_reads_a_pdf_text_layer_with_its_paragraphs_and_title():
    data = make_pdf(
        [["Israel and Russia met.", "They talked."], ["A second paragraph."]], title="Talks"
    )
    converted = convert(filename="talks.pdf", data=data)
    assert converted.text == "Israel and Russia met.\nThey talked.\n\nA second paragraph."
    assert converted.title == "Talks"
    assert converted.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_pdf([["secret"]], password="pw"), "encrypted"),
        (make_pdf([]), "no text layer"),
        (b"%PDF-1.4\nnot really", "not a readable PDF"),
    ],
)
def test_it_refuses_unreadable_pdfs_with_a_reason(data, reason):
    with pytest.raises(ValidationError) as exc:
        convert(filename="bad.pdf", data=data)
    assert "bad.pdf" in exc.value.messages[0] and reason in exc.value.messages[0]


def test_it_reads_docx_paragraphs_and_title():
    data = make_docx(["First  paragraph.", "", "Second paragraph — é."], title="Memo")
    converted = convert(filename="m.docx", data=data)
    assert converted.text == "First paragraph.\n\nSecond paragraph — é."
    assert converted.title == "Memo"


def test_it_refuses_a_corrupt_docx():
    data = make_docx(["x"])[:200]
    with pytest.raises(ValidationError, match="bad.docx: not a readable Word document"):
        convert(filename="bad.docx", data=data)


def test_it_turns_html_into_paragraphs_without_scripts():
    html = (
        "<html><head><title> The  page </title><style>p{color:red}</style></head><body>"
        "<h1>Head</h1><p>One <b>bold</b>\n  word<br>next line</p><script>alert(1)</script>"
        "<ul><li>a</li><li>b &amp; c</li></ul></body></html>"
    )
    assert html_to_text(html) == ("Head\n\nOne bold word\nnext line\n\na\n\nb & c", "The page")


def test_it_renders_markdown_and_codes_the_visible_text():
    converted = convert(filename="n.md", data=b"# Title\n\nPara *one*\nsame para.\n\n- item\n")
    assert converted.text == "Title\n\nPara one same para.\n\nitem"
    assert converted.title == "Title"


def test_it_refuses_unknown_extensions_and_non_utf8_text():
    with pytest.raises(ValidationError, match="unknown kind of file"):
        convert(filename="x.odt", data=b"x")
    with pytest.raises(ValidationError, match="not UTF-8"):
        convert(filename="x.txt", data=b"caf\xe9")
