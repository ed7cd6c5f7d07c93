"""Generate a long document with many codings by several coders, for the workspace benchmark."""

import random
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from annotator import services
from annotator.models import Code, Codebook, Membership, Project

PROJECT_NAME = "Long document benchmark"
CODEBOOK_NAME = "Long document benchmark codes"
CODES = [
    ("cooperation", "#2E7D32"),
    ("tension", "#B71C1C"),
    ("Iran", "#6A1B9A"),
    ("Syria", "#1565C0"),
    ("trade", "#8D4B00"),
]
WORDS = [
    "Israel",
    "Russia",
    "Moscow",
    "Jerusalem",
    "Syria",
    "Iran",
    "cooperation",
    "tension",
    "talks",
    "agreement",
    "sanctions",
    "leaders",
    "visit",
    "airspace",
    "coordination",
    "security",
    "trade",
    "wheat",
    "gas",
    "pipeline",
    "military",
    "diplomats",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "on",
    "with",
    "for",
    "between",
    "while",
    "despite",
    "although",
    "relations",
    "policy",
    "officials",
    "announced",
    "said",
    "reported",
    "warned",
    "agreed",
    "rejected",
    "signed",
    "discussed",
    "expected",
    "balance",
    "region",
]


def make_text(rng: random.Random, length: int) -> str:
    """Paragraphs of sentences of common words, cut to exactly ``length`` code points."""
    paragraphs, size = [], 0
    while size < length:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 22))]
            sentences.append(" ".join(words).capitalize() + rng.choice(".!?."))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    text = "\n".join(paragraphs)[:length]
    # The text must not end in whitespace: document_create would trim it.
    return text[:-1] + "." if text[-1].isspace() else text


class Command(BaseCommand):
    help = "Create a long document (default 200,000 characters) with many codings by three coders."

    def add_arguments(self, parser):
        parser.add_argument("--length", type=int, default=200_000, help="characters of text")
        parser.add_argument("--codings", type=int, default=5_000, help="codings in all")
        parser.add_argument("--coders", type=int, default=3, help="number of coders")
        parser.add_argument("--seed", type=int, default=1, help="random seed (text and codings)")
        parser.add_argument("--password", default="", help="password for the coder accounts")

    def handle(self, *args, length, codings, coders, seed, password, **options):
        if length < 100 or codings < 0 or coders < 1:
            raise CommandError("Need --length >= 100, --codings >= 0 and --coders >= 1.")
        rng = random.Random(seed)
        with transaction.atomic():
            project, codes, users = self._setup(coders, password)
            text = make_text(rng, length)
            try:
                document = services.document_create(
                    project=project,
                    text=text,
                    title=f"Long document ({length:,} characters, seed {seed})",
                    order=seed,
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            made = 0
            with tqdm(total=codings, desc="codings", unit="coding", file=sys.stderr) as bar:
                while made < codings:
                    start = rng.randrange(0, length - 2)
                    end = min(length, start + rng.randint(5, 160))
                    # Whole words, as a coder would select them.
                    while start > 0 and not text[start - 1].isspace():
                        start -= 1
                    while end < length and not text[end].isspace():
                        end += 1
                    _, created = services.annotation_create(
                        document=document,
                        coder=users[made % coders],
                        code=rng.choice(codes),
                        start_offset=start,
                        end_offset=end,
                    )
                    if created:
                        made += 1
                        bar.update(1)
        self.stdout.write(
            f"Document {document.pk} in project {project.pk}: {document.length} characters, "
            f"{made} codings by {', '.join(u.username for u in users)}."
        )

    def _setup(self, coders: int, password: str):
        codebook, _ = Codebook.objects.get_or_create(name=CODEBOOK_NAME)
        codes = []
        for i, (name, colour) in enumerate(CODES, start=1):
            code, _ = Code.objects.get_or_create(
                codebook=codebook,
                name=name,
                defaults={"color": colour, "shortcut": str(i), "order": i},
            )
            codes.append(code)
        project, _ = Project.objects.get_or_create(
            name=PROJECT_NAME, defaults={"codebook": codebook}
        )
        User = get_user_model()
        users = []
        for i in range(1, coders + 1):
            user, created = User.objects.get_or_create(username=f"coder{i}")
            if password:
                user.set_password(password)
                user.save()
            elif created:
                user.set_unusable_password()
                user.save()
            Membership.objects.get_or_create(user=user, project=project)
            users.append(user)
        curator, _ = User.objects.get_or_create(username="bench-curator")
        if password:
            curator.set_password(password)
            curator.save()
        Membership.objects.get_or_create(
            user=curator, project=project, defaults={"role": Membership.Role.CURATOR}
        )
        return project, codes, users
