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


class TodoListQuerySet(models.QuerySet):
    def usable_by(self, user):
        """The lists a person may use: their own that aren't deleted."""
        return self.filter(owner=user, deletion_id__isnull=True)

    def with_active_counts(self):
        """Each list with its number of active todos, the Inbox first, then the lists in
        the order they were made."""
        active = Q(todos__done=False, todos__deletion_id__isnull=True)
        return self.annotate(active=Count("todos", filter=active)).order_by("-is_inbox", "id")


class TodoList(models.Model):
    # The table belongs to the app's own schema (Alembic migrations), whose users have
    # the same ids as their auth_user rows here. Every account has one Inbox.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False
    )
    name = models.CharField(max_length=100)
    is_inbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set while the list is deleted (the deletions table, not mapped here).
    deletion_id = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = TodoListQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "lists"

    def __str__(self) -> str:
        return self.name


class TodoQuerySet(models.QuerySet):
    def usable_by(self, user):
        """The todos in the user's usable lists, less the deleted ones (they wait for an
        Undo)."""
        return self.filter(
            list__owner=user, list__deletion_id__isnull=True, deletion_id__isnull=True
        )

    def in_list(self, list_id: int):
        """One list's todos that are not deleted (the list is known to be usable)."""
        return self.filter(list_id=list_id, deletion_id__isnull=True)

    def counts(self) -> Counts:
        return Counts(**self.aggregate(total=Count("id"), active=Count("id", filter=Q(done=False))))


class Todo(models.Model):
    # A todo belongs to a list; access to it is decided by its list.
    list = models.ForeignKey(
        TodoList, on_delete=models.DO_NOTHING, db_constraint=False, related_name="todos"
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
