from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

color_validator = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Enter a colour as #RRGGBB.")
shortcut_validator = RegexValidator(r"^[1-9a-z]?$", "A shortcut is one key: 1-9 or a-z.")
# "/" separates the levels of a code's path (``actors/Iran``), so a name may not contain it.
name_validator = RegexValidator(
    r"/", "A code name cannot contain “/” (it separates levels in paths).", inverse_match=True
)
SIBLING_NAME_TAKEN = "A code with this name already exists at this level of the codebook."


class Codebook(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    """One code of a codebook. Codes are not mutually exclusive: a span may carry several."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    name = models.CharField(max_length=200, validators=[name_validator])
    color = models.CharField(max_length=7, default="#4c78a8", validators=[color_validator])
    definition = models.TextField(blank=True)
    inclusion_criteria = models.TextField(blank=True)
    exclusion_criteria = models.TextField(blank=True)
    example = models.TextField(blank=True)
    shortcut = models.CharField(
        max_length=1, blank=True, validators=[shortcut_validator], help_text="One key: 1-9 or a-z."
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["codebook", "order", "name"]
        constraints = [
            # Names are unique among siblings (``Israel/positive`` and ``Russia/positive``
            # coexist); top-level codes have a NULL parent, which UNIQUE treats as distinct.
            models.UniqueConstraint(
                fields=["codebook", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="code_name_unique_among_siblings",
                violation_error_message=SIBLING_NAME_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["codebook", "name"],
                condition=Q(parent__isnull=True),
                name="code_name_unique_at_top",
                violation_error_message=SIBLING_NAME_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["codebook", "shortcut"],
                condition=~Q(shortcut=""),
                name="code_shortcut_unique_in_codebook",
                violation_error_message="Another code of this codebook has this shortcut key.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="code_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        """The code's place in the hierarchy, e.g. ``actors/Iran``."""
        parts: list[str] = []
        node: Code | None = self
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.name)
            node = node.parent
        return "/".join(reversed(parts))
