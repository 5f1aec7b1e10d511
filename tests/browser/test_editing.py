"""Inline editing's edge cases: Escape, blur, trimming, refused titles, hidden controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    EDITING,
    FAILED_RESOURCE,
    RequestLog,
    add,
    row,
    rows,
    titles,
)

if TYPE_CHECKING:
    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

TODO_POST = r"/todos/\d+(/delete)?"


def test_escape_after_clearing_restores_the_title_and_the_blur_after_it_saves_nothing(
    page: Page,
) -> None:
    add(page, "Stay as I am")
    posts = RequestLog(page, "POST", TODO_POST)
    the_row = rows(page).first
    the_row.locator("label.title").dblclick()
    edit = the_row.locator("input.edit")
    edit.fill("")
    edit.press("Escape")
    expect(the_row).not_to_have_class(EDITING)
    expect(the_row.locator("label.title")).to_have_text("Stay as I am")
    expect(edit).to_have_value("Stay as I am")
    # Focus leaves the (now hidden) field: the blur must not save, nor delete.
    page.locator("h1").click()
    page.keyboard.press("Tab")

    page.reload()
    assert posts.seen == []
    expect(titles(page)).to_have_text(["Stay as I am"])


def test_enter_saves_the_trimmed_title_with_one_request(page: Page) -> None:
    add(page, "Old")
    posts = RequestLog(page, "POST", TODO_POST)
    the_row = rows(page).first
    the_row.locator("label.title").dblclick()
    the_row.locator("input.edit").fill("   New title   ")
    the_row.locator("input.edit").press("Enter")
    expect(the_row.locator("label.title")).to_have_text("New title")
    expect(the_row).not_to_have_class(EDITING)

    page.reload()
    expect(titles(page)).to_have_text(["New title"])
    assert len(posts) == 1, posts.seen


def test_blur_saves_the_trimmed_title(page: Page) -> None:
    add(page, "Old")
    add(page, "Other")
    posts = RequestLog(page, "POST", TODO_POST)
    first = row(page, "Old")
    first.locator("label.title").dblclick()
    first.locator("input.edit").fill("  Blurred  ")
    page.locator("h1").click()
    expect(titles(page)).to_have_text(["Blurred", "Other"])
    expect(rows(page).first).not_to_have_class(EDITING)

    page.reload()
    expect(titles(page)).to_have_text(["Blurred", "Other"])
    assert len(posts) == 1, posts.seen


def test_saving_an_unchanged_title_sends_nothing(page: Page) -> None:
    add(page, "Same")
    posts = RequestLog(page, "POST", TODO_POST)
    rows(page).first.locator("label.title").dblclick()
    rows(page).first.locator("input.edit").fill("  Same ")
    rows(page).first.locator("input.edit").press("Enter")
    expect(rows(page).first).not_to_have_class(EDITING)
    page.reload()
    assert posts.seen == []


def test_the_rows_other_controls_are_hidden_while_editing(page: Page) -> None:
    add(page, "Edited")
    add(page, "Not edited")
    edited = row(page, "Edited")
    edited.locator("label.title").dblclick()
    expect(edited).to_have_class(EDITING)
    expect(edited.locator("input.edit")).to_be_visible()
    for control in ("input.toggle", "label.title", "a.edit-link", "button.destroy"):
        expect(edited.locator(control)).to_be_hidden()
    # Other rows are untouched.
    other = row(page, "Not edited")
    expect(other.locator("input.edit")).to_be_hidden()
    for control in ("input.toggle", "label.title", "button.destroy"):
        expect(other.locator(control)).to_be_visible()

    edited.locator("input.edit").press("Escape")
    for control in ("input.toggle", "label.title", "button.destroy"):
        expect(edited.locator(control)).to_be_visible()
    expect(edited.locator("input.edit")).to_be_hidden()


def test_the_field_opens_with_the_saved_title_each_time(page: Page) -> None:
    add(page, "Saved")
    the_row = rows(page).first
    the_row.locator("label.title").dblclick()
    the_row.locator("input.edit").fill("Abandoned")
    the_row.locator("input.edit").press("Escape")
    the_row.locator("label.title").dblclick()
    expect(the_row.locator("input.edit")).to_have_value("Saved")
    expect(the_row.locator("input.edit")).to_be_focused()


def test_a_201_character_edit_is_refused_inline_and_escape_restores(
    page: Page, new_page: PageMaker
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the 422
    add(page, "Short")
    the_row = rows(page).first
    the_row.locator("label.title").dblclick()
    edit = the_row.locator("input.edit")
    # The field's maxlength stops typing at 200; a page without it (an old browser, a
    # crafted request) gets the server's message.
    edit.fill("y" * 201)
    expect(edit).to_have_value("y" * 200)
    edit.evaluate("el => el.removeAttribute('maxlength')")
    edit.fill("y" * 201)
    edit.press("Enter")

    error = the_row.locator(".field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("200")
    expect(the_row).to_have_class(EDITING)
    edit = the_row.locator("input.edit")
    expect(edit).to_be_focused()
    expect(edit).to_have_attribute("aria-invalid", "true")
    expect(edit).to_have_accessible_description(error.inner_text())

    edit.press("Escape")
    expect(the_row).not_to_have_class(EDITING)
    expect(the_row.locator("label.title")).to_have_text("Short")
    page.reload()
    expect(titles(page)).to_have_text(["Short"])


def test_clearing_the_title_deletes_with_one_request(page: Page) -> None:
    add(page, "Keep")
    add(page, "Go")
    posts = RequestLog(page, "POST", TODO_POST)
    go = row(page, "Go")
    go.locator("label.title").dblclick()
    go.locator("input.edit").fill("   ")
    go.locator("input.edit").press("Enter")
    expect(titles(page)).to_have_text(["Keep"])
    page.reload()
    expect(titles(page)).to_have_text(["Keep"])
    assert len(posts) == 1, posts.seen
    assert posts.seen[0].endswith("/delete"), posts.seen
