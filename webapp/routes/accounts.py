"""Sign up, log in, log out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webapp import auth, queries
from webapp.forms import Credentials, parse_credentials, read_form
from webapp.state import db_session
from webapp.templating import render
from webapp.throttle import format_wait

if TYPE_CHECKING:
    from starlette.requests import Request

LOGIN_FAILED = "That email and password don't match an account."
THROTTLED = "Too many failed attempts. Please try again {when}."
EMAIL_TAKEN = "An account with this email already exists. Log in instead?"


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
        "next": auth.safe_next(request.query_params.get("next")),
    }
    return render(request, template, context, status_code=status_code, headers=headers)


def throttled_errors(exc: auth.Throttled) -> tuple[dict[str, str], dict[str, str]]:
    """The form message and the Retry-After header for a throttled password check."""
    return {"form": THROTTLED.format(when=format_wait(exc.wait))}, {"Retry-After": str(exc.wait)}


def _landing(request: Request) -> RedirectResponse:
    target = auth.safe_next(request.query_params.get("next"))
    return RedirectResponse(target or request.app.url_path_for("todos_all"), status_code=303)


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return _form_page(request, "accounts/signup.html")
    form = await read_form(request)
    values, errors = parse_credentials(form, new_account=True)
    db = db_session(request)
    if not errors and await queries.get_user_by_email(db, values.email) is not None:
        errors["email"] = EMAIL_TAKEN
    if errors:
        return _form_page(
            request, "accounts/signup.html", values=values, errors=errors, status_code=422
        )
    password_hash = await auth.hash_password(values.password)
    try:
        user = await queries.create_user(db, values.email, password_hash)
    except IntegrityError:
        # Lost a race for the same email. The 422 makes the unit of work roll back.
        return _form_page(
            request,
            "accounts/signup.html",
            values=values,
            errors={"email": EMAIL_TAKEN},
            status_code=422,
        )
    response = _landing(request)
    await auth.log_in(request, response, user)
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        if auth.current_user(request) is not None:
            return _landing(request)
        return _form_page(request, "accounts/login.html")
    form = await read_form(request)
    values, errors = parse_credentials(form, new_account=False)
    try:
        user = None if errors else await auth.authenticate(request, values.email, values.password)
    except auth.Throttled as exc:
        errors, headers = throttled_errors(exc)
        return _form_page(
            request,
            "accounts/login.html",
            values=values,
            errors=errors,
            status_code=429,
            headers=headers,
        )
    if user is None:
        errors = errors or {"form": LOGIN_FAILED}
        return _form_page(
            request, "accounts/login.html", values=values, errors=errors, status_code=422
        )
    response = _landing(request)
    await auth.log_in(request, response, user)
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse(request.app.url_path_for("login"), status_code=303)
    await auth.log_out(request, response)
    return response


routes = [
    Route("/signup", signup, methods=["GET", "POST"], name="signup"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
