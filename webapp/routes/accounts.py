"""Sign up, log in, log out.

Each page has a GET route and a POST route of its own: HEAD (which Starlette answers
with the GET route) can never reach the handler that changes state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webapp import auth, flash, queries, sessions
from webapp.dates import DEFAULT_TIME_ZONE
from webapp.forms import Credentials, Errors, parse_credentials, parse_time_zone
from webapp.inputs import read_form
from webapp.state import db_session
from webapp.templating import render
from webapp.throttle import format_wait

if TYPE_CHECKING:
    from starlette.requests import Request

LOGIN_FAILED = "That email and password don't match an account."
THROTTLED = "Too many failed attempts. Please try again {when}."
SIGNUPS_THROTTLED = "Too many sign-ups from your network just now. Please try again {when}."
EMAIL_TAKEN = "An account with this email already exists."


def _form_page(
    request: Request,
    template: str,
    *,
    values: Credentials | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "values": values or Credentials(email="", password=""),
        "errors": errors or {},
        "email_taken": (errors or {}).get("email") == EMAIL_TAKEN,
        "next": safe_next(request.query_params.get("next")),
    }
    return render(request, template, context, status_code=status_code, headers=headers)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a same-site relative path, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t\x00"):
        return None
    return target


def throttled_errors(
    exc: auth.Throttled, message: str = THROTTLED
) -> tuple[dict[str, str], dict[str, str]]:
    """The form message and the Retry-After header for a throttled attempt."""
    return {"form": message.format(when=format_wait(exc.wait))}, {"Retry-After": str(exc.wait)}


def _throttled_page(
    request: Request, template: str, values: Credentials, exc: auth.Throttled, message: str
) -> Response:
    errors, headers = throttled_errors(exc, message)
    return _form_page(
        request, template, values=values, errors=errors, status_code=429, headers=headers
    )


def _landing(request: Request) -> RedirectResponse:
    target = safe_next(request.query_params.get("next"))
    return RedirectResponse(target or request.app.url_path_for("todos_all"), status_code=303)


async def signup_page(request: Request) -> Response:
    if sessions.current_user(request) is not None:
        return _landing(request)
    return _form_page(request, "accounts/signup.html")


async def signup(request: Request) -> Response:
    if sessions.current_user(request) is not None:
        return _landing(request)
    form = await read_form(request)
    values, errors = parse_credentials(form, new_account=True)
    # Sent by the browser, not typed: one this system doesn't know is simply not used.
    zone_errors: Errors = {}
    time_zone = parse_time_zone(form, zone_errors)
    if zone_errors:
        time_zone = DEFAULT_TIME_ZONE
    if errors:
        return _form_page(
            request, "accounts/signup.html", values=values, errors=errors, status_code=422
        )
    try:
        # Hashed before the email is looked up: a taken email costs the same time.
        password_hash = await auth.hash_for_signup(request, values.password)
    except auth.Throttled as exc:
        return _throttled_page(request, "accounts/signup.html", values, exc, SIGNUPS_THROTTLED)
    db = db_session(request)
    taken = await queries.get_user_by_email(db, values.email) is not None
    if not taken:
        try:
            user = await queries.create_user(db, values.email, password_hash, time_zone)
        except IntegrityError:
            # Lost a race for the same email. The 422 makes the unit of work roll back.
            taken = True
    if taken:
        return _form_page(
            request,
            "accounts/signup.html",
            values=values,
            errors={"email": EMAIL_TAKEN},
            status_code=422,
        )
    response = _landing(request)
    await sessions.log_in(request, response, user)
    return response


async def login_page(request: Request) -> Response:
    if sessions.current_user(request) is not None:
        return _landing(request)
    return _form_page(request, "accounts/login.html")


async def login(request: Request) -> Response:
    values, errors = parse_credentials(await read_form(request), new_account=False)
    try:
        user = None if errors else await auth.authenticate(request, values.email, values.password)
    except auth.Throttled as exc:
        return _throttled_page(request, "accounts/login.html", values, exc, THROTTLED)
    if user is None:
        errors = errors or {"form": LOGIN_FAILED}
        return _form_page(
            request, "accounts/login.html", values=values, errors=errors, status_code=422
        )
    response = _landing(request)
    await sessions.log_in(request, response, user)
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse(request.app.url_path_for("login"), status_code=303)
    await sessions.log_out(request, response)
    flash.keep(request, response, "You are logged out.")
    return response


routes = [
    Route("/signup", signup_page, methods=["GET"], name="signup"),
    Route("/signup", signup, methods=["POST"], name="signup_post"),
    Route("/login", login_page, methods=["GET"], name="login"),
    Route("/login", login, methods=["POST"], name="login_post"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
