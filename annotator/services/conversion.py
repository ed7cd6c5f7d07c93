"""Uploaded files to text: plain text, PDF (its text layer), DOCX, HTML and Markdown.

Every converter returns paragraphs separated by one blank line (``\\n\\n``), lines inside a
paragraph kept, surrounding whitespace trimmed, and a title when the file states one. The text
is then stored by ``document_create`` (NFC, LF) and never changes: offsets refer to it, not to
the original file, which is kept beside it. Markdown is rendered (markdown-it-py) and read as
HTML, so codings apply to the text a reader sees, without ``**`` or ``#`` marks.
A file that cannot be read raises ``ValidationError`` naming the file and the reason.
"""

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.core.exceptions import ValidationError

from ..exports.common import BadFile, decode_text

# extension -> (format, content type of the original)
FORMATS = {
    ".txt": ("text", "text/plain"),
    ".text": ("text", "text/plain"),
    ".pdf": ("pdf", "application/pdf"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("html", "text/html"),
    ".htm": ("html", "text/html"),
    ".md": ("markdown", "text/markdown"),
    ".markdown": ("markdown", "text/markdown"),
}


@dataclass
class Converted:
    text: str
    title: str
    content_type: str


def extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _paragraphs(blocks) -> str:
    """Blocks of text -> paragraphs joined by one blank line; spaces tidied inside lines."""
    out = []
    for block in blocks:
        lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in block.split("\n")]
        # A blank line inside a block separates paragraphs too.
        text = "\n".join(lines)
        for para in re.split(r"\n\s*\n", text):
            para = para.strip("\n ")
            if para:
                out.append(para)
    return "\n\n".join(out)


def _fail(filename: str, reason: str):
    raise ValidationError(f"{filename}: {reason}")


def _text(data: bytes, filename: str) -> tuple[str, str]:
    try:
        text = decode_text(data, filename)
    except BadFile as exc:
        raise ValidationError(str(exc)) from None
    return text.strip(), ""


def _pdf(data: bytes, filename: str) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _fail(
                filename, "the PDF is encrypted (password-protected); upload an unprotected copy."
            )
        # Layout mode keeps vertical gaps as blank lines: they end paragraphs.
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError):
        _fail(filename, "not a readable PDF (the file is damaged or not a PDF).")
    # A blank line (a vertical gap larger than a line) or a page break ends a paragraph.
    text = _paragraphs(pages)
    if not text:
        _fail(
            filename,
            "the PDF has no text layer (a scan?); run OCR on it first or upload the text.",
        )
    return text, str(title).strip()


def _docx(data: bytes, filename: str) -> tuple[str, str]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError):
        _fail(filename, "not a readable Word document (.docx); the file is damaged or not DOCX.")
    except Exception as exc:  # lxml raises its own XMLSyntaxError for a damaged part
        if type(exc).__name__ == "XMLSyntaxError":
            _fail(filename, "not a readable Word document (.docx); its XML is damaged.")
        raise
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text for cell in row.cells))
    text = _paragraphs(blocks)
    if not text:
        _fail(filename, "the document contains no text.")
    return text, (document.core_properties.title or "").strip()


_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote",
    "pre", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "figure", "figcaption", "hr", "address", "details", "summary",
}  # fmt: skip
_SKIP = {"script", "style", "template", "noscript", "head", "svg"}


class _HtmlText(HTMLParser):
    """Text of an HTML page: block elements end paragraphs, ``<br>`` ends a line, scripts,
    styles and the head are dropped (except the ``<title>``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.in_title = False
        self.title = ""
        self.pre = 0

    def _end_block(self):
        text = "".join(self.current)
        if text.strip():
            self.blocks.append(text if self.pre else re.sub(r"\s+", " ", text).strip())
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.current.append("\n" if self.pre else "\ue000")
        elif tag in _BLOCK:
            self._end_block()
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th") and self.current:
            self.current.append("\t")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self._end_block()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif not self.skip:
            self.current.append(data)

    def text(self) -> str:
        self._end_block()
        blocks = [b.replace("\ue000 ", "\n").replace("\ue000", "\n") for b in self.blocks]
        return _paragraphs(blocks)


def html_to_text(html: str) -> tuple[str, str]:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text(), re.sub(r"\s+", " ", parser.title).strip()


def _html(data: bytes, filename: str) -> tuple[str, str]:
    raw, _ = _text(data, filename)
    text, title = html_to_text(raw)
    if not text:
        _fail(filename, "the page contains no text.")
    return text, title


def _markdown(data: bytes, filename: str) -> tuple[str, str]:
    from markdown_it import MarkdownIt

    raw, _ = _text(data, filename)
    text, _ = html_to_text(MarkdownIt("commonmark", {"html": False}).render(raw))
    if not text:
        _fail(filename, "the file contains no text.")
    heading = re.match(r"\s*#\s+(.+)", raw)
    return text, heading.group(1).strip().rstrip("#").strip() if heading else ""


_CONVERTERS = {
    "text": _text,
    "pdf": _pdf,
    "docx": _docx,
    "html": _html,
    "markdown": _markdown,
}


def convert(*, filename: str, data: bytes) -> Converted:
    """The text of an uploaded file, by its extension; ``ValidationError`` when unreadable."""
    fmt = FORMATS.get(extension(filename))
    if fmt is None:
        raise ValidationError(
            f"{filename}: unknown kind of file; upload .txt, .pdf, .docx, .html or .md "
            "(CSV and JSON Lines: choose them as the format)."
        )
    kind, content_type = fmt
    text, title = _CONVERTERS[kind](data, filename)
    if not text.strip():
        _fail(filename, "the file contains no text.")
    return Converted(text=text, title=title[:500], content_type=content_type)
