import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


def no_control_characters(value: str, allowed: str = "") -> None:
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValidationError("Control characters are not allowed.", code="control_characters")


def no_control_characters_but_line_breaks(value: str) -> None:
    no_control_characters(value, allowed="\n\r\t")


@dataclass(frozen=True)
class Counts:
    total: int
    active: int

    @property
    def completed(self) -> int:
        return self.total - self.active

    @property
    def all_done(self) -> bool:
        return bool(self.total) and not self.active


class TodoQuerySet(models.QuerySet):
    def of(self, user):
        """The user's todos that are not deleted (deleted ones wait for an Undo)."""
        return self.filter(owner=user, deletion_id__isnull=True)

    def counts(self) -> Counts:
        return Counts(**self.aggregate(total=Count("id"), active=Count("id", filter=Q(done=False))))


class Todo(models.Model):
    # The table belongs to the app's own schema (Alembic migrations), whose users have
    # the same ids as their auth_user rows here.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False
    )
    title = models.CharField(max_length=200, validators=[no_control_characters])
    description = models.TextField(
        max_length=5000, blank=True, null=True, validators=[no_control_characters_but_line_breaks]
    )
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set while the todo is deleted (the deletions table, not mapped here).
    deletion_id = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = TodoQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "todos"

    def __str__(self) -> str:
        return self.title
