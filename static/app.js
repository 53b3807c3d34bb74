// Small progressive enhancements; every flow also works with JavaScript off.
(function () {
  "use strict";

  function showToast(message, level) {
    var region = document.getElementById("toasts");
    if (!region) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.textContent = message;
    region.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, 8000);
  }

  document.body.addEventListener("toast", function (event) {
    showToast(event.detail.message, event.detail.level);
  });

  // htmx does not swap 4xx/5xx answers; say something instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr.getResponseHeader("HX-Trigger")) {
      showToast("Something went wrong (HTTP " + xhr.status + "). Reload the page and try again.", "error");
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("inBuild could not be reached. Check your connection and try again.", "error");
  });

  // The Switch Account gear opens a modal dialog (showModal: background inert, Esc closes).
  function setUpDialog(dialog) {
    var opener = document.getElementById("switch-account-open");
    if (dialog.hasAttribute("data-open-on-load")) {
      dialog.close();
      dialog.showModal();
    }
    if (opener) {
      opener.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("button, a[href]");
        if (first) first.focus();
      });
    }
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (closer) {
      closer.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var focusable = dialog.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden])");
      if (!focusable.length) return;
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", function () {
      if (opener) opener.focus();
    });
  }

  document.querySelectorAll("dialog.modal").forEach(setUpDialog);
  document.querySelectorAll(".toasts .toast").forEach(function (toast) {
    window.setTimeout(function () { toast.remove(); }, 8000);
  });
})();
