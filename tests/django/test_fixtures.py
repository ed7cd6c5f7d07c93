"""The shipped fixtures against the seed articles in fixtures/seeds/ (inside the repository)."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from annotator.models import Code, Document, Project

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "seeds"


def documented_normalisation(raw: str) -> tuple[str, str | None]:
    """What the README says we change: trim whitespace; move a leading `date YYYY-MM-DD`."""
    text = raw.strip()
    match = re.match(r"date (\d{4}-\d{2}-\d{2})\s+", text)
    if match:
        return text[match.end() :], match.group(1)
    return text, None


def test_every_fixture_text_equals_its_seed_after_the_documented_normalisation(demo_project):
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        document = Document.objects.get(external_id=path.stem)
        text, date = documented_normalisation(path.read_text(encoding="utf-8"))
        assert document.text == text, path.name
        assert document.length == len(text)
        if date:
            assert document.published.isoformat() == date


def test_make_articles_rebuilds_the_shipped_fixture_from_the_seeds_in_the_repository():
    spec = importlib.util.spec_from_file_location(
        "make_articles", ROOT / "fixtures/make_articles.py"
    )
    make_articles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_articles)
    assert make_articles.SEEDS == SEEDS
    assert ROOT in make_articles.SEEDS.parents
    shipped = json.loads((ROOT / "fixtures" / "articles.json").read_text(encoding="utf-8"))
    assert make_articles.build() == shipped


# Text that points outside the repository: the sibling shared folder, or this machine's paths.
OUTSIDE = re.compile(r"\.\./shared|/work/|[\"']shared[\"'] */|parent\.parent\.parent")


SKIPPED_DIRS = {".git", ".venv", "var", "notes", "node_modules", "build", "dist"}
TEXT_SUFFIXES = {".py", ".md", ".html", ".js", ".css", ".toml", ".cfg", ".ini", ".txt", ".json"}


def test_no_file_in_the_repository_reads_or_links_a_path_outside_it():
    found, checked = [], 0
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED_DIRS or any(p.startswith(".") and p != ".ci" for p in parts):
            continue
        if not path.is_file() or path == Path(__file__):
            continue
        if path.suffix not in TEXT_SUFFIXES and path.parent.name != ".ci":
            continue
        checked += 1
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert checked > 100
    assert not found, "\n".join(found)


def test_articles_state_their_own_metadata(demo_project):
    by_seed = {d.external_id[:3]: d for d in Document.objects.all()}
    assert by_seed["002"].title == "The Limits Of Russo-Israeli Cooperation"
    assert by_seed["002"].source == "The Hill"
    assert by_seed["002"].published.isoformat() == "2019-02-21"
    assert by_seed["003"].title == "Israel, Russia... Are They Friends or Enemies?"
    assert by_seed["003"].text.startswith("🇮🇱🤝🇷🇺\n")
    assert by_seed["004"].source == "Al Jazeera"
    assert by_seed["000"].title == "" and by_seed["000"].published.isoformat() == "2018-04-24"
    assert Project.objects.get().name == "Israel–Russia relations"


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_default_codebook_has_five_documented_codes_in_order(demo_project):
    codes = list(Code.objects.filter(codebook=demo_project.codebook).order_by("order"))
    assert [(c.name, c.shortcut) for c in codes] == [
        ("cooperation", "1"),
        ("tension", "2"),
        ("Iran", "3"),
        ("Syria", "4"),
        ("trade", "5"),
    ]
    texts = [d.text for d in Document.objects.all()]
    for code in codes:
        assert code.definition and code.inclusion_criteria and code.exclusion_criteria
        assert any(code.example in t for t in texts), f"{code.name}: example not from the articles"
        # Readable: white text on the colour reaches WCAG AA (4.5:1).
        assert 1.05 / (_luminance(code.color) + 0.05) >= 4.5, code.name
    assert len({c.color.lower() for c in codes}) == 5


@pytest.mark.parametrize("names", [["codebook"], ["codebook", "articles"]])
def test_fixtures_load_on_an_empty_database(db, names):
    from django.core.management import call_command

    call_command("loaddata", *names, verbosity=0)
    assert Code.objects.count() == 5
