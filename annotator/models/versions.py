"""Codebook versions and the codebook's audit trail.

The draft is the live ``Code`` rows plus the ``CodebookChange`` rows not yet in a version.
Publishing freezes a snapshot of every code into an immutable, numbered ``CodebookVersion``
and attaches the pending changes to it. A coding records the latest published version at its
creation (``Annotation.codebook_version``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CodebookVersion(models.Model):
    codebook = models.ForeignKey(
        "annotator.Codebook", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # Every code as published: a list of {id, path, name, parent_id, color, definition, ...}.
    snapshot = models.JSONField(default=list)

    class Meta:
        ordering = ["codebook", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["codebook", "number"], name="codebook_version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="codebook_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.codebook} v{self.number}"


class CodebookChange(models.Model):
    """One edit of a codebook: who, when, what, with the code's state before and after."""

    class Action(models.TextChoices):
        ADD = "add", "Added"
        EDIT = "edit", "Changed"
        MOVE = "move", "Reordered"
        DELETE = "delete", "Deleted"
        MERGE = "merge", "Merged"
        SPLIT = "split", "Split"
        IMPORT = "import", "Imported"

    codebook = models.ForeignKey(
        "annotator.Codebook", on_delete=models.CASCADE, related_name="changes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    code = models.ForeignKey(
        "annotator.Code", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The code's path when the change was made: it survives the code's deletion.
    code_path = models.CharField(max_length=2000)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # None while the change is part of the draft.
    version = models.ForeignKey(
        CodebookVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )

    class Meta:
        ordering = ["codebook", "at", "id"]
        indexes = [models.Index(fields=["codebook", "version"], name="codebook_change_draft")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.code_path}"


class CodebookSeen(models.Model):
    """The latest version of a codebook a coder has acknowledged in the workspace banner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    codebook = models.ForeignKey("annotator.Codebook", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CodebookVersion, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "codebook"], name="codebook_seen_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} has seen {self.version}"
