// Behaviour that htmx attributes can't express: the CSRF header, how many rows the page
// shows, inline editing, focus after swaps, busy and error states. Loaded as a file (no inline scripts), so the
// Content-Security-Policy can forbid inline code.
"use strict";

(() => {
  // Sign-up takes the person's time zone from the browser: "today" is theirs.
  for (const field of document.querySelectorAll("input[data-browser-time-zone]")) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) field.value = zone;
  }

  // On a narrow screen the lists are a row that scrolls sideways: show the current one.
  const current = document.querySelector(".lists [aria-current]")?.parentElement;
  const lists = current?.parentElement;
  if (lists && lists.scrollWidth > lists.clientWidth) {
    lists.scrollLeft = current.offsetLeft - lists.clientWidth / 3;
  }

  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  // Every htmx request carries the CSRF token as a header. Actions on the list also say
  // how many rows the page shows ("Show more" may have loaded more than a page), so an
  // answer that redraws the list keeps them, and a new todo isn't shown out of place.
  document.addEventListener("htmx:config:request", (event) => {
    const request = event.detail.ctx.request;
    request.headers["X-CSRF-Token"] = csrfToken();
    if (request.method === "POST" && request.body?.set) {
      request.body.set("shown", String(document.querySelectorAll("#todo-list > li").length));
      request.body.set("more", document.querySelector("#more a") ? "1" : "0");
    }
  });

  // -- messages and failures -----------------------------------------------------------------
  // The message area is a live region that stays in the viewport: messages are written
  // into it (never replacing it), so screen readers announce them.
  const showMessage = (text) => {
    const box = document.getElementById("messages");
    if (!box) return;
    const toast = document.createElement("div");
    toast.className = "toast error";
    toast.setAttribute("role", "alert");
    const p = document.createElement("p");
    p.textContent = text;
    toast.append(p);
    box.replaceChildren(toast);
  };
  // A message stays until the next action (an Undo offer included), except the action
  // is the message's own button.
  document.addEventListener("htmx:before:request", (event) => {
    const box = document.getElementById("messages");
    if (box && !box.contains(event.detail?.ctx?.sourceElement)) box.replaceChildren();
  });

  // The new-todo field while its todo is on the way: the text stays, read-only, and the
  // form says it is busy (htmx marks it with .htmx-request for the look).
  document.addEventListener("htmx:before:request", (event) => {
    const form = event.detail?.ctx?.sourceElement;
    if (form?.id !== "new-todo-form") return;
    form.setAttribute("aria-busy", "true");
    form.elements.title.readOnly = true;
  });
  document.addEventListener("htmx:finally:request", (event) => {
    const form = event.detail?.ctx?.sourceElement;
    if (form?.id !== "new-todo-form" || !form.isConnected) return;
    form.removeAttribute("aria-busy");
    form.elements.title.readOnly = false;
  });

  // A failed request changed nothing on the server, so put back what the user changed
  // in the page: a ticked checkbox shows the saved state again, and an inline edit
  // stays open (its text kept) to try again or cancel with Escape.
  const undoPending = (ctx) => {
    const source = ctx?.sourceElement;
    // A row the server says is gone leaves the page (HX-Reswap: delete): nothing to undo.
    if (!source?.querySelectorAll || ctx.hx?.reswap === "delete") return;
    for (const box of source.querySelectorAll("input[type=checkbox]")) {
      box.checked = box.defaultChecked;
    }
    const edit = source.closest("li")?.querySelector("input.edit");
    if (edit) delete edit.dataset.done;
  };

  // No answer at all (offline, server down, timeout).
  document.addEventListener("htmx:error", (event) => {
    undoPending(event.detail?.ctx);
    showMessage("Could not reach the server. Check your connection and try again.");
  });

  // An error status. 422 is a validation message that belongs where it is swapped (next
  // to the field). Our server sends every other error as a message for the message area
  // with HX-Reswap (none, or delete for a row that no longer exists). Any other error
  // answer (a proxy's 502 page, say) must not replace a row: show a message.
  document.addEventListener("htmx:response:error", (event) => {
    const ctx = event.detail.ctx;
    if (ctx.response.status === 422) {
      // A refused new todo comes back as the form with its message: it replaces the
      // form. (htmx's hx-status:422 would say so, but a ":" makes invalid HTML.)
      if (ctx.sourceElement?.id === "new-todo-form") {
        ctx.target = ctx.sourceElement;
        ctx.swap = "outerHTML";
      }
      return;
    }
    undoPending(ctx);
    if (ctx.hx?.reswap) return;
    ctx.swap = "none";
    showMessage(`Something went wrong (error ${ctx.response.status}). Reload the page and try again.`);
  });

  // -- new todo ----------------------------------------------------------------------------
  // An empty (or all-blank) title does nothing, as in TodoMVC; the server still refuses
  // one with 422 when it arrives some other way.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id === "new-todo-form" && form.elements.title.value.trim() === "") {
      event.preventDefault();
      event.stopImmediatePropagation();
      form.elements.title.value = "";
    }
  }, true);

  const focusNewTodo = () => document.querySelector(".new-todo")?.focus();

  // -- inline edit ---------------------------------------------------------------------------
  // The field starts from the saved title (data-original, from the server) every time,
  // so a refused or cancelled text never comes back.
  const startEditing = (li) => {
    if (!li || li.classList.contains("editing")) return;
    const input = li.querySelector("input.edit");
    input.value = input.dataset.original;
    li.classList.add("editing");
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  };

  // `byKey`: Enter or Escape, so focus stays in the row; a blur means the user went
  // elsewhere, and focus is left where they put it.
  const finishEditing = (input, save, byKey) => {
    const li = input.closest("li");
    if (!li?.isConnected || !li.classList.contains("editing") || input.dataset.done === "1") return;
    const stopEditing = () => {
      li.classList.remove("editing");
      if (byKey) li.querySelector("label.title")?.focus();
    };
    const title = input.value.trim();
    if (!save || title === input.dataset.original) {
      input.value = input.dataset.original;
      stopEditing();
      return;
    }
    // Until the answer replaces the row: Enter's own blur, or a second Enter, must not
    // send the edit again.
    input.dataset.done = "1";
    if (title === "") {
      // Clearing the title deletes the todo, as in TodoMVC.
      li.querySelector(".destroy-form").requestSubmit();
    } else {
      input.value = title;
      input.form.requestSubmit();
    }
  };

  // Undo from anywhere with the keyboard: "z" (or Ctrl/Cmd+Z) outside a text field
  // presses the message's Undo button, which otherwise sits far away in the tab order.
  document.addEventListener("keydown", (event) => {
    if (event.target.closest?.("input, textarea, select, [contenteditable]")) return;
    if (event.key !== "z" && event.key !== "Z") return;
    if (event.altKey || event.shiftKey) return;
    const undo = document.querySelector("#messages form button");
    if (!undo) return;
    event.preventDefault();
    undo.click();
  });

  document.addEventListener("dblclick", (event) => {
    const label = event.target.closest(".todo-list label.title");
    if (label) startEditing(label.closest("li"));
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches?.("input.edit")) {
      if (event.key === "Escape" || event.key === "Enter") {
        event.preventDefault();
        finishEditing(target, event.key === "Enter", true);
      }
      return;
    }
    // Keyboard route into editing: Enter or F2 on a focused row's label.
    if (target.matches?.(".todo-list label.title") && (event.key === "Enter" || event.key === "F2")) {
      event.preventDefault();
      startEditing(target.closest("li"));
    }
  });

  document.addEventListener("focusout", (event) => {
    if (event.target.matches?.("input.edit")) finishEditing(event.target, true, false);
  });

  // -- focus after swaps ------------------------------------------------------------------------
  // A swap can remove the focused element (a replaced row, a deleted row, the "Clear
  // completed" button), and a checkbox is disabled while its toggle is on the way. When
  // the request's element held the focus as the request set out, put focus on the
  // nearest sensible thing after the swap; never take it from somewhere the user has
  // moved on to.
  document.addEventListener("htmx:config:request", (event) => {
    const ctx = event.detail.ctx;
    const source = ctx.sourceElement;
    const focused = document.activeElement;
    const li = source?.closest?.(".todo-list > li");
    if (!(li ?? source)?.contains?.(focused)) return;
    ctx.focusMemo = {
      // Which of the row's controls had it: a neighbour gets focus on the same one.
      control:
        [".toggle", ".destroy", ".move[value=up]", ".move[value=down]"].find((selector) =>
          focused.matches(selector),
        ) ?? "label.title",
      row: li?.id,
      next: li?.nextElementSibling?.id,
      previous: li?.previousElementSibling?.id,
      // "Show more": the first new row comes after the current last one.
      lastRow: source.closest("#more") ? document.querySelector("#todo-list > li:last-child")?.id : null,
    };
  });

  const focusAfter = (memo) => {
    const byId = (id) => (id ? document.getElementById(id) : null);
    if (memo.lastRow) {
      byId(memo.lastRow)?.nextElementSibling?.querySelector(".toggle")?.focus();
      return;
    }
    // The same row when it is still shown, else its neighbour (next, then previous),
    // else the new-todo field (it was the one replaced, no rows are left, or "Clear
    // completed" is gone).
    const li = byId(memo.row) ?? byId(memo.next) ?? byId(memo.previous);
    if (li) li.querySelector(memo.control)?.focus();
    else focusNewTodo();
  };

  document.addEventListener("htmx:after:swap", (event) => {
    const ctx = event.detail?.ctx;
    // After Undo: on the restored row, where the person left off.
    const restored = ctx?.response?.headers?.get("X-Restored");
    if (restored) {
      document.getElementById(restored)?.querySelector(".toggle")?.focus();
      return;
    }
    // A refused inline edit comes back open, with its message: keep typing there.
    const editing = document.querySelector(".todo-list li.editing input.edit");
    if (editing) {
      editing.focus();
      return;
    }
    const lost = !document.activeElement || document.activeElement === document.body;
    if (ctx?.focusMemo && lost) focusAfter(ctx.focusMemo);
  });

  // -- the list's own order: drag a row (SortableJS) -------------------------------------------
  // The same move as the Move up/down buttons, said as "right after this todo" (or first).
  // The page already shows the new order; if the server refuses it, the page is loaded
  // again so that it shows the order that was kept.
  const movable = () => {
    const list = document.querySelector("#todo-list[data-movable]");
    if (!list || !window.Sortable || window.Sortable.get(list)) return;
    window.Sortable.create(list, {
      animation: 150,
      // Controls keep their clicks; the row is dragged from anywhere else.
      filter: "input, button, a, textarea",
      preventOnFilter: false,
      onEnd: async ({ item, oldIndex, newIndex }) => {
        if (oldIndex === newIndex) return;
        const previous = item.previousElementSibling;
        const body = new URLSearchParams({ after: previous ? previous.id.replace("todo-", "") : "" });
        const action = item.querySelector(".move-form")?.action;
        if (!action) return;
        let ok = false;
        try {
          const response = await fetch(action, {
            method: "POST",
            headers: { "X-CSRF-Token": csrfToken() },
            body,
          });
          ok = response.ok;
        } catch {
          ok = false;
        }
        if (!ok) {
          showMessage("That move couldn't be saved. Showing the list as it is.");
          setTimeout(() => window.location.reload(), 1500);
        }
      },
    });
  };
  document.addEventListener("DOMContentLoaded", movable);
  document.addEventListener("htmx:after:swap", movable);
})();
