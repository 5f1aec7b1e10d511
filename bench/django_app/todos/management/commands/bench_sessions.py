"""Logs the benchmark's users in: prints their cookies and CSRF tokens as JSON.

Input: a JSON object on stdin mapping each user's name to its id in the app's `users`
table. Each gets an auth_user row with that same id (so that its todos are its own here
too), one database session stored as `django.contrib.auth.login` stores it, and a CSRF
secret for the csrftoken cookie.
"""

import json
import sys

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

BACKEND = "django.contrib.auth.backends.ModelBackend"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        users: dict[str, int] = json.load(sys.stdin)
        User = get_user_model()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, email FROM users WHERE id = ANY(%s)", [list(users.values())])
            emails = dict(cursor.fetchall())
        missing = sorted(name for name, user_id in users.items() if user_id not in emails)
        if missing:
            raise CommandError(f"not in the users table: {', '.join(missing)}")
        session_store = import_string(settings.SESSION_ENGINE + ".SessionStore")
        credentials = {}
        with transaction.atomic():
            for name, user_id in users.items():
                user, _ = User.objects.update_or_create(
                    id=user_id,
                    defaults={
                        "username": emails[user_id],
                        "email": emails[user_id],
                        "password": make_password(None),  # unusable: no password login
                    },
                )
                session = session_store()
                session[SESSION_KEY] = user._meta.pk.value_to_string(user)
                session[BACKEND_SESSION_KEY] = BACKEND
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
                # The masked token a page would carry in its csrf-token meta.
                request = HttpRequest()
                request.META["CSRF_COOKIE"] = secret
                credentials[name] = {
                    "cookie": (
                        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                        f"{settings.CSRF_COOKIE_NAME}={secret}"
                    ),
                    "csrf_header": get_token(request),
                }
            # The explicit ids leave auth_user's sequence behind: move it past them.
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [User]):
                    cursor.execute(statement)
        self.stdout.write(json.dumps(credentials))
