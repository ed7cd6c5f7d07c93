from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class Project(models.Model):
    class Granularity(models.TextChoices):
        CHARACTER = "character", "Character"
        WORD = "word", "Word"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    codebook = models.ForeignKey(
        "annotator.Codebook", on_delete=models.PROTECT, related_name="projects"
    )
    granularity = models.CharField(
        max_length=10, choices=Granularity.choices, default=Granularity.CHARACTER
    )
    blind_coding = models.BooleanField(
        default=True, help_text="Annotators see only their own codings."
    )
    uses_assignments = models.BooleanField(
        default=True,
        help_text="Managers assign documents to coders (queues; agreement counts assigned "
        "documents only). Off: every annotator codes every document.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The gold standard's coder: an inactive account made on first curation (see workflow.py).
    gold_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="gold_project",
    )
    members: models.ManyToManyField[AbstractBaseUser, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(granularity__in=["character", "word"]), name="project_granularity_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        CURATOR = "curator", "Curator"
        ANNOTATOR = "annotator", "Annotator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["manager", "curator", "annotator"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.project}"
