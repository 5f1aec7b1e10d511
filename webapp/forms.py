"""Read and validate form input into (values, errors).

Each parser reads only the fields it names (no mass assignment) and returns the cleaned
values plus `errors`, a dict from field name to a message shown next to that field.
The HTML attributes in the templates (`required`, `maxlength`) mirror these rules; these
stay authoritative.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from webapp.dates import is_time_zone
from webapp.inputs import parse_id
from webapp.models import (
    DESCRIPTION_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    LIST_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)

if TYPE_CHECKING:
    from collections.abc import Set

    from starlette.datastructures import FormData, ImmutableMultiDict

    from webapp.models import Todo

Errors = dict[str, str]

PASSWORD_MIN_LENGTH = 8
# argon2 would happily hash megabytes; a cap keeps one login from costing a CPU-second.
PASSWORD_MAX_BYTES = 1024
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _field(form: ImmutableMultiDict[str, Any], name: str, errors: Errors) -> str:
    values = form.getlist(name)
    if len(values) > 1:
        errors[name] = "This field was sent more than once."
        return ""
    if not values:
        return ""
    value = values[0]
    if not isinstance(value, str):
        errors[name] = "Files are not accepted here."
        return ""
    return value


def _has_control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


@dataclass(frozen=True, slots=True)
class TodoInput:
    title: str
    description: str | None


def parse_title(form: FormData, errors: Errors) -> str:
    title = _field(form, "title", errors).strip()
    if "title" in errors:
        return title
    if not title:
        errors["title"] = "Please enter a title."
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"The title can be at most {TITLE_MAX_LENGTH} characters long."
    elif _has_control_characters(title):
        errors["title"] = "The title can't contain control characters."
    return title


def parse_todo(form: FormData) -> tuple[TodoInput, Errors]:
    errors: Errors = {}
    title = parse_title(form, errors)
    description = _field(form, "description", errors).strip()
    if "description" not in errors:
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors["description"] = (
                f"The description can be at most {DESCRIPTION_MAX_LENGTH} characters long."
            )
        elif _has_control_characters(description, allowed="\n\r\t"):
            errors["description"] = "The description can't contain control characters."
    # Browsers send line breaks as CRLF; store one convention.
    description = description.replace("\r\n", "\n")
    return TodoInput(title=title, description=description or None), errors


@dataclass(frozen=True, slots=True)
class EditInput:
    """The edit page's fields."""

    title: str
    description: str | None
    list_id: int
    # As typed when it isn't a date (shown back with the error), else the date.
    due_on: date | str | None = None
    # As typed (comma-separated), and the names in it.
    labels: str = ""
    label_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, todo: Todo) -> EditInput:
        names = tuple(label.name for label in todo.labels)
        return cls(todo.title, todo.description, todo.list_id, todo.due_on, ", ".join(names), names)

    @property
    def due_date(self) -> date | None:
        """The due date, once valid (text is only kept alongside an error)."""
        return self.due_on if isinstance(self.due_on, date) else None


def parse_due_on(form: FormData, errors: Errors) -> date | str | None:
    """A date input's value (YYYY-MM-DD), or nothing; as typed when it isn't a date."""
    text = _field(form, "due_on", errors).strip()
    if "due_on" in errors or not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors["due_on"] = "Please enter a date like 2026-12-07, or leave it empty."
        return text


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_edit(form: FormData, list_id: int, usable_lists: Set[int]) -> tuple[EditInput, Errors]:
    """The edit page's fields; the list is one of `usable_lists` (kept when not sent)."""
    todo, errors = parse_todo(form)
    chosen = _field(form, "list", errors)
    if "list" not in errors and chosen:
        chosen_id = parse_id(chosen)
        if chosen_id is None or chosen_id not in usable_lists:
            errors["list"] = "That list does not exist. Please choose another."
        else:
            list_id = chosen_id
    due_on = parse_due_on(form, errors)
    labels = _field(form, "labels", errors)
    names = parse_labels(labels, errors) if "labels" not in errors else ()
    return EditInput(todo.title, todo.description, list_id, due_on, labels, names), errors


def parse_labels(text: str, errors: Errors) -> tuple[str, ...]:
    """Comma-separated label names: each trimmed (inner spaces made single), empty ones
    and repeats dropped. A name can't hold a comma: that is what separates them."""
    names: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if not name or name in names:
            continue
        if len(name) > LABEL_MAX_LENGTH:
            errors["labels"] = f"A label can be at most {LABEL_MAX_LENGTH} characters long."
        elif _has_control_characters(name):
            errors["labels"] = "A label can't contain control characters."
        names.append(name)
    if len(names) > MAX_LABELS:
        errors["labels"] = f"A todo can have at most {MAX_LABELS} labels."
    return tuple(names)


def is_label_name(name: str) -> bool:
    """Whether a label could have this name (a label page's address may say anything)."""
    errors: Errors = {}
    return parse_labels(name, errors) == (name,) and not errors


MAX_LABELS = 20
SEARCH_MAX_LENGTH = 200


def parse_search(query: ImmutableMultiDict[str, Any], errors: Errors) -> str:
    """What to search for (`?q=`): any text up to a length."""
    text = " ".join(_field(query, "q", errors).split())
    if "q" not in errors:
        if len(text) > SEARCH_MAX_LENGTH:
            errors["q"] = f"Search for at most {SEARCH_MAX_LENGTH} characters."
        elif _has_control_characters(text):
            errors["q"] = "A search can't contain control characters."
    return text if not errors else ""


def parse_list_name(form: FormData, errors: Errors) -> str:
    name = _field(form, "name", errors).strip()
    if "name" in errors:
        return name
    if not name:
        errors["name"] = "Please enter a name for the list."
    elif len(name) > LIST_NAME_MAX_LENGTH:
        errors["name"] = f"A list's name can be at most {LIST_NAME_MAX_LENGTH} characters long."
    elif _has_control_characters(name):
        errors["name"] = "A list's name can't contain control characters."
    return name


def parse_time_zone(form: FormData, errors: Errors) -> str:
    """An IANA time zone name this system knows ("Europe/Paris")."""
    name = _field(form, "time_zone", errors).strip()
    if "time_zone" not in errors and not is_time_zone(name):
        errors["time_zone"] = "Please choose a time zone from the list."
    return name


@dataclass(frozen=True, slots=True)
class Credentials:
    email: str
    password: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def parse_credentials(form: FormData, *, new_account: bool) -> tuple[Credentials, Errors]:
    errors: Errors = {}
    email = normalize_email(_field(form, "email", errors))
    if "email" not in errors:
        if not email:
            errors["email"] = "Please enter your email address."
        elif (
            len(email) > EMAIL_MAX_LENGTH
            or not _EMAIL_SHAPE.fullmatch(email)
            or _has_control_characters(email)
        ):
            errors["email"] = "Please enter a valid email address, like name@example.com."
    if new_account:
        password = parse_new_password(form, "password", email, errors)
    else:
        password = parse_password(form, "password", errors)
    return Credentials(email=email, password=password), errors


def parse_password(form: FormData, name: str, errors: Errors) -> str:
    """A password to check against a stored hash: present and within the byte cap."""
    password = _field(form, name, errors)
    if name not in errors:
        if not password:
            errors[name] = "Please enter your password."
        elif len(password.encode("utf-8", "surrogatepass")) > PASSWORD_MAX_BYTES:
            errors[name] = f"Passwords can be at most {PASSWORD_MAX_BYTES} bytes long."
        elif _has_control_characters(password):
            # Any printable character is fine; NUL and friends only come from scripts.
            errors[name] = "Passwords can't contain control characters."
    return password


def parse_new_password(form: FormData, name: str, email: str, errors: Errors) -> str:
    """A password to set: long enough, not a common one, not the email address.

    No composition rules (digits, symbols...): length and rarity are what make a
    password hard to guess.
    """
    password = parse_password(form, name, errors)
    if name not in errors:
        if len(password) < PASSWORD_MIN_LENGTH:
            errors[name] = f"Use at least {PASSWORD_MIN_LENGTH} characters."
        elif is_common_password(password) or password.strip().lower() in {
            email,
            email.partition("@")[0],
        }:
            errors[name] = "That password is too easy to guess. Please choose another."
    return password


# The 30,000 most frequent passwords of leaked password lists, as zxcvbn ships them.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    # The list is lower-case; "Password1" is as guessable as "password1".
    return password.strip().lower() in COMMON_PASSWORDS
