/* Guanxi's behaviour layer: confirm dialogs, toasts, shortcuts. No inline scripts (CSP). */
(function () {
  "use strict";

  // --- confirm before destructive actions -------------------------------------
  const dialog = document.getElementById("confirm-dialog");
  function askConfirm(message) {
    return new Promise(function (resolve) {
      if (!dialog || typeof dialog.showModal !== "function") { resolve(window.confirm(message)); return; }
      dialog.querySelector(".confirm-message").textContent = message;
      dialog.returnValue = "";
      dialog.addEventListener("close", function handler() {
        dialog.removeEventListener("close", handler);
        resolve(dialog.returnValue === "ok");
      });
      dialog.showModal();
      dialog.querySelector("button[value=ok]").focus();
    });
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("form[data-confirm]") || form.dataset.confirmed === "1") return;
    event.preventDefault();
    askConfirm(form.dataset.confirm).then(function (ok) {
      if (!ok) return;
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    const message = event.detail.question;
    if (!message) return;
    event.preventDefault();
    askConfirm(message).then(function (ok) { if (ok) event.detail.issueRequest(true); });
  });

  // --- toasts --------------------------------------------------------------------
  function arm(toast) {
    const close = function () { toast.classList.add("hide"); setTimeout(function () { toast.remove(); }, 400); };
    const button = toast.querySelector(".toast-close");
    if (button) button.addEventListener("click", close);
    if (!toast.classList.contains("toast-error")) setTimeout(close, 6000);
  }
  function showToast(text, level) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", "status");
    toast.textContent = text;
    const button = document.createElement("button");
    button.type = "button"; button.className = "toast-close"; button.textContent = "×";
    button.setAttribute("aria-label", "close");
    toast.appendChild(button);
    box.appendChild(toast);
    arm(toast);
  }
  document.querySelectorAll(".toast").forEach(arm);
  // Server-sent toasts for HTMX responses: HX-Trigger: {"toast": {"text": "...", "level": "success"}}
  document.body.addEventListener("toast", function (event) {
    showToast(event.detail.text, event.detail.level);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    showToast(document.body.dataset.msgRequestFailed + " (" + status + ")", "error");
  });

  // --- keyboard ---------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (event.key === "/" && !typing) {
      const search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
    if (event.key === "Escape") {
      const results = document.getElementById("global-search-results");
      if (results) results.innerHTML = "";
      document.querySelectorAll("details[open].user-menu, details[open].mobile-nav").forEach(function (d) { d.open = false; });
    }
  });

  // --- copy buttons -----------------------------------------------------------------
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () { showToast(document.body.dataset.msgCopied, "success"); });
    }
  });

  // Exports are downloads, not page swaps.
  document.querySelectorAll("a[data-export]").forEach(function (a) { a.setAttribute("hx-boost", "false"); });
})();
