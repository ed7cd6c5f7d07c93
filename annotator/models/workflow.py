"""Team workflow: assignments, the gold standard's provenance, curation notes and versions.

The gold standard of a project is a first-class coder set: its codings are ordinary
``Annotation`` rows whose coder is the project's gold user (``Project.gold_user``, an inactive
account created on first curation). Every export, the agreement report and the API therefore
treat it like any coder; ``GoldProvenance`` records who proposed each gold coding and who
accepted it when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Assignment(models.Model):
    """A document in a coder's queue. Agreement treats unassigned documents as missing data."""

    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="assignments"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the coder's queue.")
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments_made",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["coder", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "coder"], name="assignment_unique")
        ]
        indexes = [models.Index(fields=["coder", "position"], name="assignment_queue")]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.coder}"


class GoldProvenance(models.Model):
    """Where a gold coding came from: the coders who proposed it, who accepted it, when."""

    class Action(models.TextChoices):
        ACCEPTED = "accepted", "Accepted a coder's coding"
        ADJUSTED = "adjusted", "Accepted with adjusted boundaries"
        ADDED = "added", "Added by the curator"
        MERGED = "merged", "Pre-filled by the merge assistant"

    annotation = models.OneToOneField(
        "annotator.Annotation", on_delete=models.CASCADE, related_name="provenance"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    proposed_by = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)
    # Merge-assistant proposals stay unconfirmed until a curator confirms them.
    confirmed = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "gold provenance"
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["accepted", "adjusted", "added", "merged"]),
                name="gold_provenance_action_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.accepted_by}"


class Curation(models.Model):
    """A document's gold-standard version: every gold edit must name the version it saw.

    Two curators editing at once cannot overwrite each other silently: an edit made against
    an older version is refused and the current state is shown.
    """

    document = models.OneToOneField(
        "annotator.Document", on_delete=models.CASCADE, related_name="curation"
    )
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"curation of {self.document_id} v{self.version}"


class CurationNote(models.Model):
    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="curation_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note by {self.author} on {self.document_id}"
