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

  // --- filter forms that apply a choice at once (a number waits for Enter) -------------
  document.addEventListener("change", function (event) {
    const form = event.target.closest("form[data-autosubmit]");
    if (!form || event.target.type === "number") return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
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

  // --- the opportunity board: drag and drop, with mouse or finger ---------------------
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  const board = document.getElementById("board");
  if (board) {
    const moveUrl = function (id) { return board.dataset.moveUrlTemplate.replace("/0/", "/" + id + "/"); };
    let dragged = null;
    function askLostReason() {
      return new Promise(function (resolve) {
        const source = document.getElementById("lost-reasons");
        const box = document.createElement("dialog");
        box.className = "confirm-dialog";
        const form = document.createElement("form");
        form.method = "dialog";
        const label = document.createElement("p");
        label.textContent = board.dataset.askLost;
        const select = source.cloneNode(true);
        select.hidden = false; select.removeAttribute("id");
        const ok = document.createElement("button");
        ok.value = "ok"; ok.className = "button"; ok.textContent = "OK";
        const cancel = document.createElement("button");
        cancel.value = "cancel"; cancel.className = "button secondary"; cancel.textContent = "×";
        form.append(label, select, document.createElement("br"), ok, cancel);
        box.appendChild(form);
        document.body.appendChild(box);
        box.addEventListener("close", function () {
          resolve(box.returnValue === "ok" ? select.value : null);
          box.remove();
        });
        box.showModal();
      });
    }
    function move(card, column) {
      const from = card.parentElement;
      if (!column || column === from.closest(".board-column")) return;
      const send = function (reason) {
        const body = new FormData();
        body.append("stage", column.dataset.stage);
        if (reason) body.append("lost_reason", reason);
        column.querySelector(".cards").prepend(card);
        fetch(moveUrl(card.dataset.id), {method: "POST", body: body, credentials: "same-origin",
                                         headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}})
          .then(function (response) {
            if (response.ok) {
              const count = function (col, delta) {
                const el = col.querySelector(".column-count"); el.textContent = String(parseInt(el.textContent, 10) + delta);
              };
              count(column, 1); count(from.closest(".board-column"), -1);
              showToast("✓", "success");
            } else {
              from.prepend(card);
              response.text().then(function (text) { showToast(text || String(response.status), "error"); });
            }
          })
          .catch(function () { from.prepend(card); showToast(document.body.dataset.msgRequestFailed, "error"); });
      };
      if (column.dataset.kind === "lost") {
        askLostReason().then(function (reason) { if (reason) send(reason); });
      } else {
        send(null);
      }
    }
    board.addEventListener("dragstart", function (event) {
      const card = event.target.closest(".card");
      if (!card) return;
      dragged = card; card.classList.add("dragging");
      event.dataTransfer.setData("text/plain", card.dataset.id);
      event.dataTransfer.effectAllowed = "move";
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
      dragged = null;
    });
    board.addEventListener("dragover", function (event) {
      const column = event.target.closest(".board-column");
      if (!column || !dragged) return;
      event.preventDefault();
      board.querySelectorAll(".drop-target").forEach(function (c) { if (c !== column) c.classList.remove("drop-target"); });
      column.classList.add("drop-target");
    });
    board.addEventListener("drop", function (event) {
      const column = event.target.closest(".board-column");
      event.preventDefault();
      if (dragged && column) move(dragged, column);
    });
    // Touch screens: press and hold a card, then drag it over a column and let go.
    let touch = null;
    board.addEventListener("pointerdown", function (event) {
      const card = event.target.closest(".card");
      if (!card || event.pointerType === "mouse") return;
      touch = {card: card, timer: setTimeout(function () { touch.active = true; card.classList.add("dragging"); }, 250)};
    });
    board.addEventListener("pointermove", function (event) {
      if (!touch || !touch.active) return;
      event.preventDefault();
      const under = document.elementFromPoint(event.clientX, event.clientY);
      board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
      const column = under && under.closest(".board-column");
      if (column) column.classList.add("drop-target");
    });
    const endTouch = function (event) {
      if (!touch) return;
      clearTimeout(touch.timer);
      if (touch.active) {
        const under = document.elementFromPoint(event.clientX, event.clientY);
        touch.card.classList.remove("dragging");
        board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
        move(touch.card, under && under.closest(".board-column"));
      }
      touch = null;
    };
    board.addEventListener("pointerup", endTouch);
    board.addEventListener("pointercancel", function () { if (touch) clearTimeout(touch.timer); touch = null; });
  }

  // --- fast line entry: Enter goes to the next row, Ctrl+Enter saves ----------------------
  const lineForm = document.getElementById("line-form");
  if (lineForm) {
    lineForm.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) { lineForm.requestSubmit(document.getElementById("save-document")); return; }
      const row = event.target.closest("tr");
      const next = row && row.nextElementSibling;
      if (next) { next.querySelector("input").focus(); }
    });
  }
})();

// Print buttons (no inline handlers under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// --- the handling-flow editor: drag steps from the palette, reorder, set, publish -------------
(function () {
  const canvas = document.getElementById("flow-canvas");
  if (!canvas) return;
  const form = document.getElementById("flow-form");
  const hidden = document.getElementById("flow-steps");
  const template = document.getElementById("step-template");
  const labels = document.getElementById("step-labels").dataset;

  function refresh(li) {
    const type = li.dataset.type;
    const target = (li.querySelector("[data-key=target]") || {}).value;
    const assignee = (li.querySelector("[data-key=assignee]") || {}).value;
    li.querySelectorAll("label[data-for]").forEach(function (label) {
      let show = label.dataset.for.split(" ").includes(type);
      if (show && label.dataset.when) {
        show = type === "notify" ? label.dataset.when === target : label.dataset.when === assignee;
      }
      label.hidden = !show;
    });
  }

  function makeStep(step) {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.type = step.type;
    li.querySelector(".step-title").textContent = labels[step.type] || step.type;
    li.querySelectorAll("[data-key]").forEach(function (input) {
      const key = input.dataset.key;
      const forTarget = input.dataset.target;
      if (step[key] === undefined || step[key] === null) return;
      if (forTarget && forTarget !== step.target && forTarget !== step.assignee) return;
      input.value = step[key];
    });
    li.addEventListener("change", function () { refresh(li); });
    li.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", "move:" + Array.from(canvas.children).indexOf(li));
    });
    refresh(li);
    return li;
  }

  function read(li) {
    const step = { type: li.dataset.type };
    li.querySelectorAll("label[data-for]").forEach(function (label) {
      if (label.hidden) return;
      const input = label.querySelector("[data-key]");
      if (input && input.value !== "") step[input.dataset.key] = input.value;
    });
    return step;
  }

  function add(type, before) {
    const li = makeStep({ type: type });
    canvas.insertBefore(li, before || null);
    const first = li.querySelector("input:not([hidden]), select");
    if (first) first.focus();
  }

  function target(event) {
    const li = event.target.closest(".flow-step");
    return li && li.parentElement === canvas ? li : null;
  }

  JSON.parse(hidden.value || "[]").forEach(function (step) { canvas.appendChild(makeStep(step)); });
  document.querySelectorAll(".palette-step").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", "new:" + item.dataset.type);
    });
    item.addEventListener("click", function () { add(item.dataset.type); });
    item.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); add(item.dataset.type); }
    });
  });
  canvas.addEventListener("dragover", function (event) { event.preventDefault(); canvas.classList.add("drop-target"); });
  canvas.addEventListener("dragleave", function () { canvas.classList.remove("drop-target"); });
  canvas.addEventListener("drop", function (event) {
    event.preventDefault();
    canvas.classList.remove("drop-target");
    const data = event.dataTransfer.getData("text/plain");
    const before = target(event);
    if (data.startsWith("new:")) {
      add(data.slice(4), before);
    } else if (data.startsWith("move:")) {
      const moved = canvas.children[parseInt(data.slice(5), 10)];
      if (moved && moved !== before) canvas.insertBefore(moved, before);
    }
  });
  canvas.addEventListener("click", function (event) {
    const li = target(event);
    if (!li) return;
    if (event.target.closest(".step-remove")) li.remove();
    else if (event.target.closest(".step-up") && li.previousElementSibling) canvas.insertBefore(li, li.previousElementSibling);
    else if (event.target.closest(".step-down") && li.nextElementSibling) canvas.insertBefore(li.nextElementSibling, li);
  });
  form.addEventListener("submit", function () {
    hidden.value = JSON.stringify(Array.from(canvas.children).map(read));
  });
})();

// --- the product list of the line entry follows what is typed (any of thousands of products) ----
(function () {
  const list = document.getElementById("product-options");
  if (!list || !list.dataset.source) return;
  let timer = null;
  let last = "";
  document.addEventListener("input", function (event) {
    if (!event.target.matches("input.sku")) return;
    const q = event.target.value.trim();
    if (q === last) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      last = q;
      fetch(list.dataset.source + "?q=" + encodeURIComponent(q), { headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (html) list.innerHTML = html; });
    }, 200);
  });
})();

// --- rich text (directives, news): a small editor over the textarea it replaces -----
// The server sanitizes whatever arrives (workplace.richtext); this only edits. Without
// JavaScript the textarea stays and takes text or HTML.
(function () {
  "use strict";
  const DROP = "script,style,iframe,object,embed,link,meta,form,input,button,textarea,select";
  function inert(html) {
    const doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    doc.querySelectorAll(DROP).forEach(function (node) { node.remove(); });
    doc.querySelectorAll("*").forEach(function (node) {
      Array.from(node.attributes).forEach(function (attr) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on") || name === "style" || (name === "href" && !/^(https?:|mailto:|\/)/i.test(attr.value.trim()))) {
          node.removeAttribute(attr.name);
        }
      });
    });
    return doc.body;
  }
  const TOOLS = [["bold", "B"], ["italic", "I"], ["underline", "U"], ["insertUnorderedList", "•"],
                 ["insertOrderedList", "1."], ["createLink", "🔗"], ["removeFormat", "⌫"]];
  document.querySelectorAll("textarea[data-rich-text]").forEach(function (area) {
    const wrap = document.createElement("div");
    wrap.className = "rich-editor-wrap";
    const bar = document.createElement("div");
    bar.className = "rich-toolbar";
    bar.setAttribute("role", "toolbar");
    const editor = document.createElement("div");
    editor.className = "rich-editor prose";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.setAttribute("aria-label", (area.labels && area.labels[0] ? area.labels[0].textContent : ""));
    const body = inert(area.value);
    while (body.firstChild) editor.appendChild(body.firstChild);
    TOOLS.forEach(function (tool) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "button secondary"; button.textContent = tool[1];
      button.title = tool[0];
      button.addEventListener("click", function () {
        editor.focus();
        let value = null;
        if (tool[0] === "createLink") {
          value = window.prompt("https://", "https://");
          if (!value || !/^(https?:|mailto:)/i.test(value)) return;
        }
        document.execCommand(tool[0], false, value);
      });
      bar.appendChild(button);
    });
    wrap.append(bar, editor);
    area.hidden = true;
    area.removeAttribute("required");
    area.parentNode.insertBefore(wrap, area.nextSibling);
    const sync = function () { area.value = editor.innerHTML; };
    editor.addEventListener("input", sync);
    if (area.form) area.form.addEventListener("submit", sync);
  });

  // The intelligence fields of a news item matter only for competitor intelligence.
  const kind = document.querySelector("#news-form select[name=kind]");
  const intel = document.getElementById("intel-fields");
  if (kind && intel) {
    const show = function () { intel.hidden = kind.value !== "competitor"; };
    kind.addEventListener("change", show);
    show();
  }
})();
