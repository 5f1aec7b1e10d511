// Keyboard shortcuts for logged-in pages (see templates/_shortcuts.html): single keys that
// move through the list and act on the row holding the focus; "?" lists them. Loaded as a
// file, like app.js: the Content-Security-Policy forbids inline scripts.
"use strict";

(() => {
  const help = document.getElementById("shortcuts-help");

  // Keys typed into a field are text, not commands. Inputs that take no text (a row's
  // checkbox, a button) let the shortcuts through, so "x" works on a clicked checkbox.
  const NO_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "image"]);
  const takesText = (el) =>
    el.isContentEditable ||
    el.matches?.("textarea, select") ||
    (el.matches?.("input") && !NO_TEXT.has(el.type));

  const focusOn = (el) => {
    if (!el) return false;
    el.focus();
    return true;
  };

  // The row holding the focus (on its title, checkbox, edit link or delete button).
  const focusedRow = () => document.activeElement?.closest?.(".todo-list > li") ?? null;

  const focusRow = (li) => {
    const title = li?.querySelector("label.title");
    if (!focusOn(title)) return false;
    title.scrollIntoView({ block: "nearest" });
    return true;
  };

  // j / k: the next / previous row (of every list on the page: Today has two), from no
  // row the first / the last; no wrapping round.
  const move = (step) => {
    const rows = [...document.querySelectorAll(".todo-list > li")];
    const current = focusedRow();
    if (!current) return focusRow(step > 0 ? rows[0] : rows.at(-1));
    return focusRow(rows[rows.indexOf(current) + step]);
  };

  // x: click the row's checkbox, so its htmx form sends the toggle just as a click does.
  // The answer replaces the row; app.js then puts the focus back on the new row's title
  // (found by id), or on a neighbour's when the row left the filter.
  const toggle = () => {
    const box = focusedRow()?.querySelector("input.toggle");
    if (!box || box.disabled) return false;
    box.click();
    return true;
  };

  // e: the row's edit page, through its link.
  const edit = () => {
    const link = focusedRow()?.querySelector("a.edit-link");
    if (!link) return false;
    link.click();
    return true;
  };

  // ?: the help, modal (the page behind it is inert). Escape and its Close button close
  // it natively; focus then goes back where it was (Chromium does that by itself, not
  // every browser does yet).
  let returnTo = null;
  const showHelp = () => {
    if (!help) return false;
    returnTo = document.activeElement;
    help.showModal();
    return true;
  };
  help?.addEventListener("close", () => {
    if (returnTo?.isConnected) returnTo.focus();
    returnTo = null;
  });
  // Keys pressed in the dialog stay in it: app.js's "z" (Undo) must not act on the page
  // behind. Escape still closes it (the browser's default action, not a listener).
  help?.addEventListener("keydown", (event) => event.stopPropagation());

  const actions = new Map([
    ["n", () => focusOn(document.querySelector("input.new-todo"))],
    ["/", () => focusOn(document.querySelector('[role="searchbox"], input[type="search"]'))],
    ["j", () => move(1)],
    ["k", () => move(-1)],
    ["x", toggle],
    ["e", edit],
    ["?", showHelp],
  ]);

  document.addEventListener("keydown", (event) => {
    const action = actions.get(event.key);
    if (!action || event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (takesText(event.target) || document.querySelector("dialog[open]")) return;
    // Holding j or k walks the list; a held x, e or ? acts once.
    if (event.repeat && event.key !== "j" && event.key !== "k") return;
    // Only a key that did something is kept from the page (an absent search box leaves
    // "/" to the browser).
    if (action()) event.preventDefault();
  });
})();
