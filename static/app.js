// Behaviour that htmx attributes can't express: the CSRF header, inline editing,
// focus after swaps, and visible errors. Loaded as a file (no inline scripts), so the
// Content-Security-Policy can forbid inline code.
"use strict";

(() => {
  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  // Every htmx request carries the CSRF token as a header.
  document.addEventListener("htmx:config:request", (event) => {
    event.detail.ctx.request.headers["X-CSRF-Token"] = csrfToken();
  });

  // -- messages --------------------------------------------------------------------------
  const showMessage = (text) => {
    const box = document.getElementById("messages");
    if (!box) return;
    const p = document.createElement("p");
    p.className = "flash error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  };
  document.addEventListener("htmx:error", () => {
    showMessage("Could not reach the server. Check your connection and try again.");
  });
  document.addEventListener("htmx:before:request", () => {
    document.getElementById("messages")?.replaceChildren();
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
  const startEditing = (li) => {
    if (!li || li.classList.contains("editing")) return;
    li.classList.add("editing");
    const input = li.querySelector("input.edit");
    input.dataset.original = input.value;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  };

  const finishEditing = (input, save) => {
    const li = input.closest("li");
    if (!li || !li.classList.contains("editing") || input.dataset.done === "1") return;
    input.dataset.done = "1"; // Escape (or Enter) is followed by a blur: act only once.
    if (!save) {
      input.value = input.dataset.original ?? input.value;
      li.classList.remove("editing");
      delete input.dataset.done;
      li.querySelector(".toggle")?.focus();
      return;
    }
    const title = input.value.trim();
    if (title === "") {
      // Clearing the title deletes the todo, as in TodoMVC.
      li.querySelector(".destroy-form").requestSubmit();
    } else if (title === input.dataset.original) {
      li.classList.remove("editing");
      delete input.dataset.done;
    } else {
      input.value = title;
      focusAfterSwap = `#${li.id} label.title`;
      input.form.requestSubmit();
    }
  };

  document.addEventListener("dblclick", (event) => {
    const label = event.target.closest(".todo-list label.title");
    if (label) startEditing(label.closest("li"));
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches?.("input.edit")) {
      if (event.key === "Escape") {
        event.preventDefault();
        finishEditing(target, false);
      } else if (event.key === "Enter") {
        event.preventDefault();
        finishEditing(target, true);
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
    if (event.target.matches?.("input.edit")) finishEditing(event.target, true);
  });

  // -- focus after swaps ------------------------------------------------------------------------
  // A swap replaces the focused element; put focus back on its replacement.
  let focusAfterSwap = null;
  document.addEventListener("htmx:after:swap", (event) => {
    if (focusAfterSwap) {
      document.querySelector(focusAfterSwap)?.focus();
      focusAfterSwap = null;
      return;
    }
    const source = event.detail?.ctx?.sourceElement;
    if (!source) return;
    if (source.id === "new-todo-form" || source.closest?.("#new-todo-form")) {
      focusNewTodo();
      return;
    }
    const editing = document.querySelector(".todo-list li.editing input.edit");
    if (editing) {
      editing.focus();
    }
  });
})();
