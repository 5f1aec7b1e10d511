import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

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


# How far Upcoming looks ahead, today not included (as the app's).
UPCOMING_DAYS = 14


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

    def with_active_counts(self, today: date):
        """Each list with its number of active todos, of those due by `today` and of
        those due in the 14 days after it; the Inbox first, then the lists in the order
        they were made."""
        active = Q(todos__done=False, todos__deletion_id__isnull=True)
        until = today + timedelta(days=UPCOMING_DAYS)
        return self.annotate(
            active=Count("todos", filter=active),
            due=Count("todos", filter=active & Q(todos__due_on__lte=today)),
            upcoming=Count(
                "todos", filter=active & Q(todos__due_on__gt=today, todos__due_on__lte=until)
            ),
        ).order_by("-is_inbox", "id")


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
    # A day: due "on 7 December" (None: no due date).
    due_on = models.DateField(null=True, blank=True)
    # Its place in the list's own order: new todos go last.
    position = models.BigIntegerField(default=0)
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


class TodoLabel(models.Model):
    """A label on a todo (the app's `todo_labels` table): a word to find it by."""

    pk = models.CompositePrimaryKey("todo_id", "name")
    todo = models.ForeignKey(
        Todo, on_delete=models.DO_NOTHING, db_constraint=False, related_name="labels"
    )
    name = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = "todo_labels"
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
