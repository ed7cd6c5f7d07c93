"""The workspace page: access matrix, blind coding, coder picker, rendering of highlights."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document
from annotator.selectors import workspace as ws

pytestmark = pytest.mark.django_db


def url(document, **params):
    base = reverse("annotator:document-annotate", args=[document.project_id, document.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title="Israel, Russia... Are They Friends or Enemies?")


def code(name):
    return Code.objects.get(name=name)


def shown(html, data_id="codings") -> set[tuple[int, int, int, int]]:
    """The codings a rendered text carries for the page's script to paint: (id, code id,
    start, end) from its ``json_script`` block."""
    import json
    import re

    [raw] = re.findall(rf'<script id="{data_id}" type="application/json">(.*?)</script>', html)
    flat = json.loads(raw)
    return {tuple(flat[i : i + 4]) for i in range(0, len(flat), 4)}


def ids(html, data_id="codings") -> set[int]:
    return {row[0] for row in shown(html, data_id)}


def coding(doc, user, name, start, end, memo=""):
    return services.annotation_create(
        document=doc, coder=user, code=code(name), start_offset=start, end_offset=end, memo=memo
    )[0]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404)],
)
def test_it_applies_the_access_matrix(client_as, doc, role, status):
    assert client_as(role).get(url(doc)).status_code == status


def test_it_sends_anonymous_users_to_the_login_page(client_as, doc):
    response = client_as("anonymous").get(url(doc))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_a_document_of_another_project(client_as, doc, members):
    from annotator.models import Codebook, Membership, Project

    other = Project.objects.create(name="Other", codebook=Codebook.objects.get())
    Membership.objects.create(user=members["annotator"], project=other)
    wrong = reverse("annotator:document-annotate", args=[other.pk, doc.pk])
    assert client_as("annotator").get(wrong).status_code == 404


def test_it_renders_paragraphs_with_code_point_starts_and_the_code_buttons(client_as, doc):
    html = client_as("annotator").get(url(doc)).text
    # Hard-wrapped lines flow as one paragraph: the flag line and the title line are spans of
    # one <p>, joined by the source's newline (offsets do not change); the title ends a
    # sentence, so its paragraph ends there ("joined": the next line follows without a gap).
    second = doc.text.index("\n") + 1
    assert (
        '<p class="para joined"><span id="para-0" class="ln" data-start="0">🇮🇱🤝🇷🇺</span>\n'
        f'<span id="para-1" class="ln" data-start="{second}">'
        "Israel, Russia... Are They Friends or Enemies?</span></p>"
    ) in html
    # A list item starts a paragraph; its wrapped continuation stays in it.
    item = doc.text.index("\n- History of Israel-Russia\nRelations") + 1
    line = doc.text.count("\n", 0, item)
    assert (
        f'<p class="para joined"><span id="para-{line}" class="ln" data-start="{item}">'
        f'- History of Israel-Russia</span>\n<span id="para-{line + 1}" class="ln" '
        f'data-start="{item + 27}">Relations</span></p>'
    ) in html
    # The text's last line ends its last paragraph, which keeps the margin.
    last = doc.text.rindex("\n") + 1
    assert f'class="ln" data-start="{last}">{doc.text[last:]}</span></p></div>' in html
    assert 'name="code" value="1" class="code-btn code-c1"' in html
    assert "cooperation <kbd>1</kbd>" in html
    assert "nonce=" in html and "style=" not in html


def test_it_renders_blank_line_separated_paragraphs_of_flowing_lines():
    text = "One  two\nthree <b>\nfour.\n\n\n- five\n- six\n"
    assert ws.text_html(text) == (
        '<p class="para"><span id="para-0" class="ln" data-start="0">One  two</span>\n'
        '<span id="para-1" class="ln" data-start="9">three &lt;b&gt;</span>\n'
        '<span id="para-2" class="ln" data-start="19">four.</span></p>'
        '<p class="para joined"><span id="para-5" class="ln" data-start="27">- five</span></p>'
        '<p class="para"><span id="para-6" class="ln" data-start="34">- six</span></p>'
    )
    assert ws.text_html("a\nb", id_prefix=None) == (
        '<p class="para"><span class="ln" data-start="0">a</span>\n'
        '<span class="ln" data-start="2">b</span></p>'
    )


def test_it_carries_the_codings_as_data_and_the_text_without_markup(client_as, doc, members):
    a = coding(doc, members["annotator"], "cooperation", 6, 20)
    b = coding(doc, members["annotator"], "Iran", 12, 30)
    html = client_as("annotator").get(url(doc)).text
    assert shown(html) == {(a.pk, 1, 6, 20), (b.pk, 3, 12, 30)}
    # The text stays plain: one element per line, whatever the codings.
    line = doc.text.split("\n")[1]
    assert f'<span id="para-1" class="ln" data-start="6">{line}</span>' in html
    text = html[html.index('id="doc-text"') : html.index("</div>", html.index('id="doc-text"'))]
    assert text.count("<span") == sum(1 for line in doc.text.split("\n") if line)
    assert 'id="coding-count">2<' in html


def test_it_shows_an_annotator_only_their_own_codings_under_blind_coding(client_as, doc, members):
    mine = coding(doc, members["annotator"], "tension", 6, 12)
    coding(doc, members["annotator2"], "trade", 6, 12)
    client = client_as("annotator")
    html = client.get(url(doc)).text
    assert ids(html) == {mine.pk}
    assert 'id="coder-select"' not in html
    assert client.get(url(doc, coder=members["annotator2"].pk)).status_code == 404
    assert client.get(url(doc, coder="all")).status_code == 404


def test_it_lets_an_annotator_view_others_read_only_without_blind_coding(client_as, doc, members):
    doc.project.blind_coding = False
    doc.project.save()
    theirs = coding(doc, members["annotator2"], "trade", 6, 12)
    html = client_as("annotator").get(url(doc, coder=members["annotator2"].pk)).text
    assert ids(html) == {theirs.pk}
    assert 'id="apply-form"' not in html and "Read-only" in html


def test_it_shows_a_curator_one_coder_or_all_side_by_side_read_only(client_as, doc, members):
    a = coding(doc, members["annotator"], "tension", 6, 12)
    b = coding(doc, members["annotator2"], "trade", 6, 12)
    client = client_as("curator")
    one = client.get(url(doc, coder=members["annotator"].pk)).text
    assert ids(one) == {a.pk}
    assert 'id="apply-form"' not in one
    both = client.get(url(doc, coder="all")).text
    first, second = (f"codings-{members[r].pk}" for r in ("annotator", "annotator2"))
    assert ids(both, first) == {a.pk} and ids(both, second) == {b.pk}
    assert f'data-codings="{first}"' in both and f'data-codings="{second}"' in both
    assert both.count('class="column"') == 2 and 'id="apply-form"' not in both
    assert client.get(url(doc, coder="999999")).status_code == 404


def test_it_renders_the_body_fragment_for_htmx_and_the_page_otherwise(client_as, doc):
    client = client_as("annotator")
    full = client.get(url(doc))
    fragment = client.get(url(doc), headers={"HX-Request": "true"})
    assert "<html" in full.text and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="workspace-body"')
    assert "HX-Request" in full["Vary"] and "HX-Request" in fragment["Vary"]


def test_it_keeps_the_query_count_constant_in_the_number_of_codings(
    client_as, doc, members, django_assert_max_num_queries
):
    client = client_as("annotator")
    with django_assert_max_num_queries(10):
        client.get(url(doc))
    for i in range(30):
        coding(doc, members["annotator"], ["cooperation", "tension", "Iran"][i % 3], 6 + i, 40 + i)
    with django_assert_max_num_queries(10):
        assert client.get(url(doc)).status_code == 200


def test_it_escapes_text_exactly_as_django_does():
    from django.utils.html import escape

    from annotator.selectors.workspace import _escape

    sample = "a & b < c > d \" e ' f 🇮🇱 <script>"
    assert _escape(sample) == escape(sample)


def test_it_escapes_markup_in_the_document_text(client_as, demo_project, members):
    from annotator.services import document_create

    doc = document_create(project=demo_project, text="<b>bold</b> & <script>x</script>")
    html = client_as("annotator").get(url(doc)).text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html


def test_it_joins_hard_wrapped_lines_but_not_paragraphs(client_as, demo_project):
    """Seed 000 separates paragraphs with blank lines: no line of it is "joined"."""
    from annotator.models import Document

    html = client_as("annotator").get(url(Document.objects.get(pk=1))).text
    assert 'class="para joined"' not in html
    assert html.count('class="para"') == Document.objects.get(pk=1).text.count("\n\n") + 1


def test_it_styles_every_track_the_codebook_can_need(client_as, doc):
    from annotator.templatetags.annotator_tags import tint

    html = client_as("annotator").get(url(doc)).text
    # Five codes: at most five overlap, so tracks t0..t4 per code and rooms r1..r5.
    for code in Code.objects.filter(codebook=doc.project.codebook):
        for i in range(5):
            assert (
                f"::highlight(c{code.pk}t{i}) {{ background-color: {tint(code.color)}; "
                f"text-decoration: underline solid 3px {code.color}; "
                f"text-underline-offset: calc({i} * 4px + 3px); }}"
            ) in html
        assert f"::highlight(c{code.pk}t5)" not in html
    for n in range(1, 6):
        assert f".doc-text .ln.r{n} {{" in html
        assert f".doc-text .para.b{n} {{" in html
    assert ".ln.r6 " not in html and ".para.b6 " not in html


def test_it_loads_the_list_of_codings_on_demand(client_as, doc, members):
    """The page links to the list (no entry per coding in it); the list answers as a
    fragment for the page's script or as a page, for the viewed coder only."""
    mine = coding(doc, members["annotator"], "tension", 6, 12, memo="why <this>")
    theirs = coding(doc, members["annotator2"], "trade", 6, 12)
    client = client_as("annotator")
    html = client.get(url(doc)).text
    assert f'id="ann-{mine.pk}"' not in html and 'id="coding-list-link"' in html
    list_url = reverse("annotator:annotation-list", args=[doc.project_id, doc.pk])
    fragment = client.get(list_url, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<ol id="coding-list"')
    assert f'<li id="ann-{mine.pk}" class="coding"' in fragment
    assert "why &lt;this&gt;" in fragment and f'id="ann-{theirs.pk}"' not in fragment
    full = client.get(list_url).text
    assert "<html" in full and f'id="ann-{mine.pk}"' in full and "Your codings (1)" in full
    # Blind coding: an annotator may not list another coder's codings; a curator may.
    assert client.get(list_url, {"coder": members["annotator2"].pk}).status_code == 404
    theirs_list = client_as("curator").get(list_url, {"coder": members["annotator2"].pk}).text
    assert f'id="ann-{theirs.pk}"' in theirs_list and f'id="ann-{mine.pk}"' not in theirs_list
    assert client_as("outsider").get(list_url).status_code == 404
