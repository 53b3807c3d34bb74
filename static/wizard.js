// The Setup Wizard's QuickBooks record combobox (WAI-ARIA combobox with a listbox popup).
// htmx fetches the options from the server as the admin types; this file only adds what htmx cannot
// do without eval (which the CSP forbids): arrow keys, Enter and Escape, and choosing an option.
// Without JavaScript the field is a plain text input and Save looks the typed name up.
(function () {
  "use strict";
  var COMBOBOX = "input[role=combobox]";

  function listbox(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function options(input) {
    var list = listbox(input);
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }
  function active(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setOpen(input, open) {
    var list = listbox(input);
    if (!list) return;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) activate(input, null);
  }

  function activate(input, option) {
    options(input).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(input) {
    input.dispatchEvent(new CustomEvent("combobox-open", { bubbles: true }));
  }

  function choose(input, option) {
    var form = input.form;
    input.value = option.getAttribute("data-name");
    form.querySelector("[data-combobox-value]").value = option.getAttribute("data-qbo-id");
    setOpen(input, false);
    form.requestSubmit();
  }

  function move(input, step) {
    var all = options(input);
    if (!all.length) return;
    var index = all.indexOf(active(input)) + step;
    if (index < 0) index = all.length - 1;
    if (index >= all.length) index = 0;
    setOpen(input, true);
    activate(input, all[index]);
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(COMBOBOX)) return;
    var expanded = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!expanded && !options(input).length) { open(input); return; }
      move(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && expanded && active(input)) {
      event.preventDefault();
      choose(input, active(input));
    } else if (event.key === "Escape" && expanded) {
      event.preventDefault();
      setOpen(input, false);
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches(COMBOBOX)) {
      input.form.querySelector("[data-combobox-value]").value = "";  // typed text is looked up by name
    }
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches(COMBOBOX) && !input.hasAttribute("data-combobox-loaded")) {
      input.setAttribute("data-combobox-loaded", "");
      open(input);
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.matches && input.matches(COMBOBOX)) {
      window.setTimeout(function () { if (document.activeElement !== input) setOpen(input, false); }, 150);
    }
  });

  // A pointer press would blur the input first: choose on mousedown and keep the focus.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[role=option]");
    if (!option) return;
    var input = document.querySelector(COMBOBOX + "[aria-controls='" + option.parentElement.id + "']");
    if (input) {
      event.preventDefault();
      choose(input, option);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") return;
    var input = document.querySelector(COMBOBOX + "[aria-controls='" + list.id + "']");
    if (input && document.activeElement === input) setOpen(input, list.children.length > 0);
  });
})();
