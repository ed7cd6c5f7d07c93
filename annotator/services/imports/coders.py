"""Who imported codings are attributed to: the rule shared by the import page, the API and the
``import_annotations`` command.

A file names its coders by username, and a manager of one project must not be able to write
codings as anyone else on the site, enrol them, or learn whether an account exists. So a
coder named in a file maps to, in this order:

1. nobody named (a doccano ``label`` span): the importer, who must be a member;
2. the project's own gold-standard account (``gold-standard-<project id>``): the gold standard,
   which never becomes a member (re-importing a project's own export keeps its gold codings);
3. a member of the project with that exact username: that member;
4. anyone else: a placeholder account, ``<prefix><slug>`` (``imported-`` unless the importer
   gives a prefix), ``-2``, ``-3``… appended when the name is taken; a placeholder is inactive,
   has no password, is marked ``first_name = "Imported coder"`` with the file's name in
   ``last_name``, and becomes an annotator of the project. The same name imported again into the
   same project reuses its placeholder, so importing a file twice stores each coding once.

Accounts outside the project are never looked up by the file's names, so whether
``admin`` or another project's gold account exists changes nothing in the mapping.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from ...models import Membership, Project
from ..workflow import gold_user_for

DEFAULT_PREFIX = "imported-"
PLACEHOLDER_MARK = "Imported coder"
MAX_PREFIX = 40
_USERNAME_MAX = 150
_SUFFIX_ROOM = 8  # "-" and up to seven digits
_VALID = re.compile(r"^[\w.@+-]+\Z")

MEMBER = "member"
GOLD = "gold standard"
IMPORTER = "you"
PLACEHOLDER = "placeholder"
NEW_PLACEHOLDER = "new placeholder"


@dataclass(frozen=True)
class CoderMatch:
    name: str  # as the file writes it; "" for codings that name no coder
    username: str  # the account the codings are stored under
    kind: str  # MEMBER, GOLD, IMPORTER, PLACEHOLDER (an existing one) or NEW_PLACEHOLDER

    def __str__(self) -> str:
        shown = self.name or "(no coder named)"
        return f"{shown} → {self.username} ({self.kind})"


def gold_username(project: Project) -> str:
    return f"gold-standard-{project.pk}"


def check_prefix(prefix: str) -> str:
    """The placeholder prefix as given, or ``ValidationError`` (field ``placeholder_prefix``)."""
    if prefix == "":
        return DEFAULT_PREFIX
    problem = ""
    if len(prefix) > MAX_PREFIX:
        problem = f"at most {MAX_PREFIX} characters."
    elif not _VALID.match(prefix):
        problem = "only letters, digits and @ . + - _ are allowed in user names."
    elif prefix.lower().startswith("gold-standard-"):
        problem = "gold-standard- is reserved for gold-standard accounts."
    if problem:
        raise ValidationError({"placeholder_prefix": f"Placeholder prefix: {problem}"})
    return prefix


def mapping_digest(matches: list[CoderMatch]) -> str:
    """A short fingerprint of a mapping: the page's confirm step sends back the one it showed."""
    payload = json.dumps([(m.name, m.username, m.kind) for m in matches], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


class CoderMapper:
    """Plans the mapping (no writes) and, when importing, creates what the plan needs."""

    def __init__(self, project: Project, importer=None, *, prefix: str = DEFAULT_PREFIX):
        self.project, self.importer = project, importer
        self.prefix = check_prefix(prefix)
        User = get_user_model()
        self.User = User
        gold_ids = set(Project.objects.exclude(gold_user=None).values_list("gold_user", flat=True))
        self.members = {
            user.get_username(): user
            for user in User.objects.filter(memberships__project=project).exclude(pk__in=gold_ids)
        }
        self.member_ids = {user.pk for user in self.members.values()}
        self.matches: dict[str, CoderMatch] = {}
        self.taken: set[str] = set()  # placeholder names given out in this plan
        self.users: dict[str, object] = {}
        self.created = 0

    # --- the plan ------------------------------------------------------------------------

    def match(self, name: str) -> CoderMatch:
        match = self.matches.get(name)
        if match is None:
            match = self.matches[name] = self._match(name)
        return match

    def _match(self, name: str) -> CoderMatch:
        if name == "":
            if self.importer is None or self.importer.pk not in self.member_ids:
                raise ValidationError(
                    {
                        "coder": "missing; codings that name no coder belong to the importer, "
                        "who must be a member of the project."
                    }
                )
            return CoderMatch("", self.importer.get_username(), IMPORTER)
        if name == gold_username(self.project):
            return CoderMatch(name, name, GOLD)
        if name in self.members:
            return CoderMatch(name, name, MEMBER)
        return self._placeholder(name)

    def _placeholder(self, name: str) -> CoderMatch:
        slug = slugify(name, allow_unicode=True) or "coder"
        base = (self.prefix + slug)[: _USERNAME_MAX - _SUFFIX_ROOM]
        candidates = [base] + [f"{base}-{n}" for n in range(2, 10_000)]
        existing = {
            user.get_username(): user
            for user in self.User.objects.filter(username__startswith=base)
        }
        for candidate in candidates:
            if candidate in self.taken:
                continue
            user = existing.get(candidate)
            if user is None:
                self.taken.add(candidate)
                return CoderMatch(name, candidate, NEW_PLACEHOLDER)
            if self._is_placeholder_for(user, name):
                self.taken.add(candidate)
                return CoderMatch(name, candidate, PLACEHOLDER)
        raise ValidationError(f"No free placeholder name for coder {name!r}.")

    def _is_placeholder_for(self, user, name: str) -> bool:
        """One of this project's placeholders, made for the same name in an earlier import."""
        return (
            user.pk in self.member_ids
            and not user.is_active
            and not user.has_usable_password()
            and user.first_name == PLACEHOLDER_MARK
            and user.last_name == name[:150]
        )

    def plan(self, names) -> list[CoderMatch]:
        """The mapping for the coder names of a file, in order of first appearance."""
        return [self.match(name) for name in dict.fromkeys(names)]

    # --- the import ----------------------------------------------------------------------

    def get(self, name: str):
        """The account for ``name``, creating a placeholder or the gold account when needed."""
        user = self.users.get(name)
        if user is not None:
            return user
        match = self.match(name)
        if match.kind == IMPORTER:
            user = self.importer
        elif match.kind == GOLD:
            user = gold_user_for(self.project)
        elif match.kind == MEMBER:
            user = self.members[name]
        elif match.kind == PLACEHOLDER:
            user = self.User.objects.get(username=match.username)
        else:
            user = self.User(
                username=match.username,
                is_active=False,
                first_name=PLACEHOLDER_MARK,
                last_name=name[:150],
            )
            user.set_unusable_password()
            try:
                user.full_clean(exclude=["password"])
            except ValidationError:
                raise ValidationError(
                    f"Cannot make a placeholder account named {match.username!r}."
                ) from None
            user.save()
            self.created += 1
        if match.kind in (PLACEHOLDER, NEW_PLACEHOLDER) and user.pk not in self.member_ids:
            Membership.objects.create(
                user=user, project=self.project, role=Membership.Role.ANNOTATOR
            )
            self.member_ids.add(user.pk)
        self.users[name] = user
        return user
