"""The account page: the time zone, change the password, log out everywhere, delete the
account.

Every action that could take over or destroy an account asks for the current password,
checked (and throttled) the same way as a login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webapp import auth, flash, queries, sessions
from webapp.dates import time_zones
from webapp.forms import Errors, parse_new_password, parse_password, parse_time_zone
from webapp.inputs import read_form
from webapp.routes.accounts import throttled_errors
from webapp.state import db_session
from webapp.templating import render

if TYPE_CHECKING:
    from starlette.requests import Request

NOT_YOUR_PASSWORD = "That isn't your current password."  # noqa: S105 (a message, not a password)
SAME_PASSWORD = "That is your current password. Please choose a new one."  # noqa: S105
PASSWORD_CHANGED = "Password changed. Your other sessions were logged out."  # noqa: S105


def _page(
    request: Request,
    *,
    errors: Errors | None = None,
    form: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        # Which form the errors belong to: two have a password field.
        "form": form,
        "errors": errors or {},
        "time_zones": time_zones(),
    }
    return render(
        request, "accounts/account.html", context, status_code=status_code, headers=headers
    )


@sessions.login_required
async def show(request: Request) -> Response:
    return _page(request)


async def _check_current_password(
    request: Request, password: str, field: str, form: str
) -> Response | None:
    """None when `password` is the user's; else the page to answer with (422 or 429)."""
    user = sessions.require_user(request)
    try:
        if await auth.authenticate(request, user.email, password) is not None:
            return None
    except auth.Throttled as exc:
        errors, headers = throttled_errors(exc)
        return _page(request, errors=errors, form=form, status_code=429, headers=headers)
    return _page(request, errors={field: NOT_YOUR_PASSWORD}, form=form, status_code=422)


@sessions.login_required
async def change_password(request: Request) -> Response:
    user = sessions.require_user(request)
    data = await read_form(request)
    errors: Errors = {}
    current = parse_password(data, "current_password", errors)
    new = parse_new_password(data, "new_password", user.email, errors)
    if not errors and new == current:
        errors["new_password"] = SAME_PASSWORD
    if errors:
        return _page(request, errors=errors, form="password", status_code=422)
    refusal = await _check_current_password(request, current, "current_password", "password")
    if refusal is not None:
        return refusal
    db = db_session(request)
    await queries.set_password_hash(db, user, await auth.hash_password(new))
    # Whoever else holds a session may be the reason for the change: end them all, and
    # give this browser a new session too.
    await sessions.end_sessions_of(db, user.id)
    response = RedirectResponse(request.app.url_path_for("account"), status_code=303)
    await sessions.log_in(request, response, user)
    flash.keep(request, response, PASSWORD_CHANGED)
    return response


@sessions.login_required
async def change_time_zone(request: Request) -> Response:
    user = sessions.require_user(request)
    errors: Errors = {}
    time_zone = parse_time_zone(await read_form(request), errors)
    if errors:
        return _page(request, errors=errors, form="time_zone", status_code=422)
    await queries.set_time_zone(db_session(request), user, time_zone)
    response = RedirectResponse(request.app.url_path_for("account"), status_code=303)
    flash.keep(request, response, f"Your time zone is now {time_zone}.")
    return response


@sessions.login_required
async def log_out_everywhere(request: Request) -> Response:
    response = RedirectResponse(request.app.url_path_for("login"), status_code=303)
    await sessions.log_out(request, response, everywhere=True)
    flash.keep(request, response, "You are logged out everywhere.")
    return response


@sessions.login_required
async def delete_account(request: Request) -> Response:
    user = sessions.require_user(request)
    data = await read_form(request)
    errors: Errors = {}
    password = parse_password(data, "password", errors)
    if errors:
        return _page(request, errors=errors, form="delete", status_code=422)
    refusal = await _check_current_password(request, password, "password", "delete")
    if refusal is not None:
        return refusal
    # Todos and login sessions go with it (ON DELETE CASCADE).
    await queries.delete_user(db_session(request), user)
    response = render(request, "accounts/deleted.html", {"user": None})
    sessions.forget(request, response)
    return response


routes = [
    Route("/account", show, methods=["GET"], name="account"),
    Route("/account/password", change_password, methods=["POST"], name="change_password"),
    Route("/account/time-zone", change_time_zone, methods=["POST"], name="change_time_zone"),
    Route(
        "/account/logout-everywhere",
        log_out_everywhere,
        methods=["POST"],
        name="log_out_everywhere",
    ),
    Route("/account/delete", delete_account, methods=["POST"], name="delete_account"),
]
