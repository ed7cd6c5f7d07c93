"""What a team needs to set itself up without the Django admin: invitations to join a
project, the original file of an uploaded document, and coders' memos on whole documents."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Invitation(models.Model):
    """A single-use, expiring link that lets a person create an account (or use theirs) and join
    a project with a role. Only the SHA-256 of the link's secret is stored: the link itself is
    shown once, to the manager who made it (and mailed when an address is given)."""

    project = models.ForeignKey(
        "annotator.Project", on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=10, default="annotator")
    email = models.EmailField(blank=True)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["manager", "curator", "annotator"]),
                name="invitation_role_valid",
            )
        ]

    def __str__(self) -> str:
        return f"invitation to {self.project_id} as {self.role}"


class DocumentOriginal(models.Model):
    """The file a document's text was converted from, kept in the database (backed up with it)
    and downloadable. The document's text is what offsets refer to; this is never re-read."""

    document = models.OneToOneField(
        "annotator.Document", on_delete=models.CASCADE, related_name="original"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class DocumentMemo(models.Model):
    """A coder's memo on a whole document: one per coder and document, so blind coding holds
    (an annotator sees only their own; curators and managers read everyone's)."""

    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="memos"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_memos"
    )
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "coder__username"]
        constraints = [
            models.UniqueConstraint(fields=["document", "coder"], name="document_memo_unique")
        ]

    def __str__(self) -> str:
        return f"memo by {self.coder_id} on {self.document_id}"
