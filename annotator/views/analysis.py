"""Analysis pages: coded-segment retrieval, frequencies, co-occurrence, full-text search,
auto-coding by search and the memos overview.

Every member may open them; what they read is narrowed by blind coding in the forms (the coder
choices) and the selectors (``Scope.coder_ids``). Each page is a GET form (bookmarkable, works
without JavaScript) whose ``format`` parameter turns the same query into a streamed download.
"""

import csv
import io
from html import escape

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path as url_path
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from .. import access
from ..forms_analysis import (
    METRIC_CHOICES,
    AutocodeForm,
    CooccurrenceForm,
    FrequencyForm,
    MemoForm,
    RetrievalForm,
    SearchForm,
)
from ..models import Membership
from ..selectors import analysis as sel
from ..services import autocode

T = "annotator/analysis/"


def _context(request, project_access, **extra) -> dict:
    return {"access": project_access, "project": project_access.project, **extra}


def workspace_link(project, user, segment_or_hit, members: set[int]) -> str:
    """The workspace at the segment's paragraph, showing the segment's coder when that is not
    the reader (curators and managers, or anyone when coding is not blind)."""
    url = reverse("annotator:document-annotate", args=[project.pk, segment_or_hit.document_id])
    coder_id = getattr(segment_or_hit, "coder_id", None)
    if coder_id and coder_id != user.pk and coder_id in members:
        url += "?" + urlencode({"coder": coder_id})
    return f"{url}#para-{segment_or_hit.paragraph}"


def _members(project) -> set[int]:
    return set(Membership.objects.filter(project=project).values_list("user_id", flat=True))


def _stream(rows, filename: str, content_type: str):
    response = StreamingHttpResponse(rows, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _csv_lines(header, rows):
    """CSV with a BOM (Excel) and CRLF row ends, one chunk per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _neutral(value: str) -> str:
    """A cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- hub --------------------------------------------------------------------------------------


@require_GET
def analysis_home(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    return render(request, T + "home.html", _context(request, project_access))


# --- retrieval --------------------------------------------------------------------------------

SEGMENT_HEADER = [
    "document_id",
    "document",
    "code",
    "coder",
    "start",
    "end",
    "text",
    "context_before",
    "context_after",
    "memo",
    "auto_coded",
    "link",
]


@require_GET
def segment_retrieval(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    form = RetrievalForm(project_access, request.user, request.GET or None)
    context = _context(request, project_access, tool="segments", form=form, result=None)
    if not request.GET:
        return render(request, T + "segments.html", context)
    if not form.is_valid():
        return render(request, T + "segments.html", context, status=400)
    scope = form.scope()
    members = _members(project)
    fmt = form.cleaned_data["format"]
    if fmt:
        base = request.build_absolute_uri("/")[:-1]
        rows = sel.segments_iter(scope)
        return _segment_download(fmt, project, request.user, rows, members, base)
    result = sel.segment_page(scope, page=form.page_index)
    for s in result.segments:
        s.link = workspace_link(project, request.user, s, members)  # type: ignore[attr-defined]  # for the template
    context.update(result=result, query=_query_without(request, "page", "format"))
    return render(request, T + "segments.html", context)


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _segment_download(fmt, project, user, segments, members, base):
    def row(s):
        return [
            s.document_id,
            _neutral(s.document_title),
            _neutral(s.code_path),
            _neutral(s.coder),
            s.start,
            s.end,
            _neutral(s.text),
            _neutral(s.before),
            _neutral(s.after),
            _neutral(s.memo),
            "yes" if s.auto_coded else "",
            base + workspace_link(project, user, s, members),
        ]

    name = f"segments-project-{project.pk}"
    if fmt == "csv":
        return _stream(
            _csv_lines(SEGMENT_HEADER, (row(s) for s in segments)),
            name + ".csv",
            "text/csv; charset=utf-8",
        )
    if fmt == "md":
        return _stream(_markdown(project, segments), name + ".md", "text/markdown; charset=utf-8")
    return _stream(_html_doc(project, segments), name + ".html", "text/html; charset=utf-8")


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("\n", " ")


def _markdown(project, segments):
    yield f"# Coded segments — {_md(project.name)}\n"
    current = None
    for s in segments:
        if s.document_id != current:
            current = s.document_id
            yield f"\n## {_md(s.document_title)}\n\n"
        memo = f"\n  Memo: {_md(s.memo)}" if s.memo else ""
        yield (
            f"- **{_md(s.code_path)}** ({_md(s.coder)}, {s.start}–{s.end}): "
            f"{_md(s.before)} **{_md(s.text)}** {_md(s.after)}{memo}\n"
        )


def _html_doc(project, segments):
    """A plain HTML document that Word and LibreOffice open as a DOCX-like document."""
    yield (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Coded segments — {escape(project.name)}</title></head><body>"
        f"<h1>Coded segments — {escape(project.name)}</h1>"
    )
    current = None
    for s in segments:
        if s.document_id != current:
            current = s.document_id
            yield f"<h2>{escape(s.document_title)}</h2>"
        memo = f"<br><i>Memo: {escape(s.memo)}</i>" if s.memo else ""
        yield (
            f"<p><b>{escape(s.code_path)}</b> ({escape(s.coder)}, {s.start}–{s.end})<br>"
            f"{escape(s.before)} <b>{escape(s.text)}</b> {escape(s.after)}{memo}</p>"
        )
    yield "</body></html>"


# --- frequencies ------------------------------------------------------------------------------


def bar_chart_svg(title: str, bars: list[tuple[str, float | None]], unit: str) -> str:
    """A horizontal bar chart as SVG; the table beside it is the text alternative."""
    shown = [(label, value or 0) for label, value in bars]
    top = max((v for _, v in shown), default=0) or 1
    row, label_w, bar_w = 22, 200, 360
    height = row * len(shown) + 10
    parts = [
        f'<svg class="bar-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}" width="{label_w + bar_w + 80}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(shown):
        y = 5 + i * row
        w = bar_w * value / top
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}">'
            f"<title>{escape(label)}: {value:g} {escape(unit)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@require_GET
def frequencies(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    form = FrequencyForm(project_access, request.user, request.GET or {"variable": "source"})
    context = _context(request, project_access, tool="frequencies", form=form, table=None)
    if not form.is_valid():
        return render(request, T + "frequencies.html", context, status=400)
    data = form.cleaned_data
    table = sel.frequency_table(form.scope(), data["variable"])
    metric = data["metric"]
    if request.GET.get("format") == "csv":
        return _stream(
            _csv_lines(
                ["code", data["variable"], "documents_with_value", "words", *METRICS],
                _frequency_rows(table),
            ),
            f"frequencies-project-{project_access.project.pk}.csv",
            "text/csv; charset=utf-8",
        )
    rows = [
        (
            path,
            [table.cells.get((pk, v), {}).get(metric) for v in table.values],
            table.totals.get(pk, {}).get(metric),
        )
        for pk, path in table.codes
    ]
    label = dict(METRIC_CHOICES)[metric]
    chart = bar_chart_svg(
        f"{label} per code (all values)", [(path, total) for path, _, total in rows], label
    )
    context.update(
        table=table,
        rows=rows,
        metric_label=label,
        chart=mark_safe(chart),  # noqa: S308
    )
    context["query"] = _query_without(request, "format")
    return render(request, T + "frequencies.html", context)


METRICS = ["segments", "documents", "characters", "per_1000_words"]


def _frequency_rows(table):
    for pk, path in table.codes:
        for value in table.values:
            cell = table.cells.get((pk, value), {})
            yield [
                _neutral(path),
                _neutral(value),
                table.documents.get(value, 0),
                table.words.get(value, 0),
                *[cell.get(m, 0) if m != "per_1000_words" else cell.get(m) for m in METRICS],
            ]


# --- co-occurrence ----------------------------------------------------------------------------


def heatmap_svg(matrix, measure: str, link) -> str:
    """The matrix as a heat map; each cell links to the retrieval of its segments."""
    codes = matrix.codes
    cell, label_w = 34, 170
    values = [matrix.value(a, b, measure) or 0 for a, _ in codes for b, _ in codes if a != b] or [0]
    top = max(values) or 1
    size = label_w + cell * len(codes) + 10
    parts = [
        f'<svg class="heatmap" role="group" aria-label="Co-occurrence heat map ({measure})" '
        f'viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (_, path) in enumerate(codes):
        short = escape(path if len(path) <= 22 else path[:21] + "…")
        parts.append(
            f'<text x="{label_w - 4}" y="{label_w + i * cell + 21}" text-anchor="end">{short}</text>'
        )
        x, y = label_w + i * cell + 20, label_w - 6
        parts.append(f'<text x="{x}" y="{y}" transform="rotate(-60 {x} {y})">{short}</text>')
    for i, (a, pa) in enumerate(codes):
        for j, (b, pb) in enumerate(codes):
            value = matrix.value(a, b, measure)
            shade = 0 if a == b or not value else min(1.0, value / top)
            fill = "#e8e8e8" if a == b else f"rgba(31, 90, 160, {0.08 + 0.92 * shade:.3f})"
            text = (
                "—" if value is None else (f"{value:.2f}" if measure == "jaccard" else str(value))
            )
            colour = "#fff" if shade > 0.5 else "#111"
            x, y = label_w + j * cell, label_w + i * cell
            rect = (
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                f"<title>{escape(pa)} × {escape(pb)}: {text}</title></rect>"
                f'<text x="{x + cell / 2 - 1}" y="{y + 21}" text-anchor="middle" '
                f'fill="{colour}" font-size="11">{text}</text>'
            )
            if a != b:
                rect = f'<a href="{escape(link(a, b))}" aria-label="{escape(pa)} with {escape(pb)}: {text}">{rect}</a>'
            parts.append(rect)
    parts.append("</svg>")
    return "".join(parts)


@require_GET
def cooccurrence(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    form = CooccurrenceForm(project_access, request.user, request.GET or {})
    context = _context(request, project_access, tool="cooccurrence", form=form, matrix=None)
    if not form.is_valid():
        return render(request, T + "cooccurrence.html", context, status=400)
    data = form.cleaned_data
    scope = form.scope()
    matrix = sel.cooccurrence(scope, form.matrix_codes(), data["mode"], data["distance"])
    measure = data["measure"]
    if request.GET.get("format") == "csv":
        header = ["code", *[path for _, path in matrix.codes]]
        rows = (
            [_neutral(pa), *[matrix.value(a, b, measure) for b, _ in matrix.codes]]
            for a, pa in matrix.codes
        )
        return _stream(
            _csv_lines(header, rows),
            f"cooccurrence-project-{project.pk}.csv",
            "text/csv; charset=utf-8",
        )

    op = {"overlap": "and", "near": "near", "paragraph": "paragraph"}[data["mode"]]
    base = _query_without(request, "codes", "format", "measure", "mode", "subcodes")

    def link(a, b):
        params = f"codes={a}&op={op}&other={b}&distance={data['distance']}"
        return reverse("annotator:analysis-segments", args=[project.pk]) + f"?{params}&{base}"

    matrix_rows = [
        (
            pa,
            [
                (b, matrix.value(a, b, measure), link(a, b) if a != b else "")
                for b, _ in matrix.codes
            ],
        )
        for a, pa in matrix.codes
    ]
    context.update(
        matrix=matrix,
        rows=matrix_rows,
        measure=measure,
        heatmap=mark_safe(heatmap_svg(matrix, measure, link)),  # noqa: S308
        query=_query_without(request, "format"),
    )
    return render(request, T + "cooccurrence.html", context)


# --- search -----------------------------------------------------------------------------------


@require_GET
def search(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    form = SearchForm(request.GET or None)
    context = _context(request, project_access, tool="search", form=form, hits=None)
    if not request.GET:
        return render(request, T + "search.html", context)
    if not form.is_valid():
        return render(request, T + "search.html", context, status=400)
    page = form.cleaned_data["page"] or 1
    if request.GET.get("format") == "csv":
        return _stream(
            _csv_lines(
                ["document_id", "title", "source", "published", "rank"], _all_hits(project, form)
            ),
            f"search-project-{project.pk}.csv",
            "text/csv; charset=utf-8",
        )
    hits, has_next = sel.search_documents(project, form.cleaned_data["q"], page=page)
    for hit in hits:
        hit.link = workspace_link(project, request.user, hit, set())
        hit.snippet = mark_safe(hit.snippet_html)  # noqa: S308 -- escaped in the selector
    context.update(
        hits=hits,
        page=page,
        has_next=has_next,
        query=_query_without(request, "page", "format"),
        autocode_query=urlencode({"query": form.cleaned_data["q"]}),
    )
    return render(request, T + "search.html", context)


def _all_hits(project, form):
    page = 1
    while True:
        hits, has_next = sel.search_documents(
            project, form.cleaned_data["q"], page=page, per_page=200
        )
        for h in hits:
            yield [h.document_id, _neutral(h.title), _neutral(h.source), h.published or "", h.rank]
        if not has_next:
            return
        page += 1


# --- memos ------------------------------------------------------------------------------------


@require_GET
def memos(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    form = MemoForm(project_access, request.user, request.GET or {})
    context = _context(request, project_access, tool="memos", form=form, segments=None)
    if not form.is_valid():
        return render(request, T + "memos.html", context, status=400)
    scope, q = form.scope(), form.cleaned_data["q"]
    members = _members(project)
    if request.GET.get("format") == "csv":
        base = request.build_absolute_uri("/")[:-1]
        return _segment_download(
            "csv", project, request.user, sel.memos_iter(scope, query=q), members, base
        )
    segments, has_next = sel.memo_page(scope, query=q, page=form.page_index)
    for s in segments:
        s.link = workspace_link(project, request.user, s, members)
    context.update(
        segments=segments,
        has_next=has_next,
        page=form.page_index,
        query=_query_without(request, "page", "format"),
    )
    return render(request, T + "memos.html", context)


# --- auto-code --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def autocode_page(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = AutocodeForm(project, data)
    context = _context(request, project_access, tool="autocode", form=form, hits=None, error="")
    if data is None:
        return render(request, T + "autocode.html", context)
    if not form.is_valid():
        return render(request, T + "autocode.html", context, status=400)
    query, code = form.autocode_query(), form.chosen_code()
    if request.method == "POST":
        try:
            items = _reviewed_items(request.POST)
            created = autocode.autocode_apply(
                project=project, code=code, coder=request.user, query=query, items=items
            )
        except ValidationError as exc:
            context["error"] = " ".join(f"{m}" for messages in _messages(exc) for m in messages)
            return render(request, T + "autocode.html", context, status=400)
        from django.contrib import messages

        messages.success(
            request, f"{created} coding{'s' if created != 1 else ''} of {code.name} stored."
        )
        return redirect(
            reverse("annotator:analysis-autocode", args=[project.pk])
            + "?"
            + _query_without(request, "csrfmiddlewaretoken", "accept")
        )
    try:
        hits, info = autocode.autocode_preview(
            project=project, code=code, coder=request.user, query=query
        )
    except ValidationError as exc:
        context["error"] = " ".join(m for messages in _messages(exc) for m in messages)
        return render(request, T + "autocode.html", context, status=400)
    context.update(hits=hits, info=info, code=code)
    return render(request, T + "autocode.html", context)


def _messages(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return list(exc.message_dict.values())
    return [exc.messages]


def _reviewed_items(post) -> list[dict]:
    """The accepted hits: each ticked ``accept`` value is a hit number; its boundaries come
    from ``start-<n>`` / ``end-<n>`` (editable) and its document from ``doc-<n>``."""
    items = []
    for n in post.getlist("accept"):
        try:
            items.append(
                {
                    "document": int(post.get(f"doc-{n}", "")),
                    "start_offset": int(post.get(f"start-{n}", "")),
                    "end_offset": int(post.get(f"end-{n}", "")),
                }
            )
        except ValueError:
            raise ValidationError(
                {"items": f"Hit {n}: boundaries must be whole numbers."}
            ) from None
    return items


P = "projects/<id:project_id>/analysis/"
urlpatterns = [
    url_path(P, analysis_home, name="analysis"),
    url_path(P + "segments/", segment_retrieval, name="analysis-segments"),
    url_path(P + "frequencies/", frequencies, name="analysis-frequencies"),
    url_path(P + "cooccurrence/", cooccurrence, name="analysis-cooccurrence"),
    url_path(P + "search/", search, name="analysis-search"),
    url_path(P + "memos/", memos, name="analysis-memos"),
    url_path(P + "autocode/", autocode_page, name="analysis-autocode"),
]
