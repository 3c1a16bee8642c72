/* keiyaku serve: the answers form sends each change to the server, which keeps it (nothing is lost on a reload),
   checks it with the answers model and sends back the messages, the form when its questions change, and the preview.
   Hand-written, no library, no inline code (the Content-Security-Policy allows only this file). Without it the form
   still works: each change is sent with the 更新 button (Enter) and the page is drawn again. */
(function () {
  "use strict";

  var form = document.getElementById("answers");
  if (!form) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var url = form.getAttribute("action");
  var statusBox = document.getElementById("status");
  var timer = null;
  var inflight = null;
  var again = false;
  var dirty = false;
  var blocked = false; // after a conflict: no more automatic sends until the page is reloaded
  var lastSent = "";
  var touched = {}; // fields the person has been in: "required" messages show for these (all, after a save)
  var showAll = false;
  var lastErrors = {};
  var lastMissing = {};
  Array.prototype.forEach.call(form.querySelectorAll("[data-error-for]"), function (slot) {
    var path = slot.getAttribute("data-error-for");
    if (slot.textContent.trim()) {
      lastErrors[path] = slot.textContent.trim();
      if (slot.hidden) lastMissing[path] = true;
    }
  });

  function isAnswer(el) {
    return el && el.name && el.name.charAt(0) !== "_" && el.name !== "note" && el.name !== "author" && el.name !== "csrf_token";
  }

  function body(extra) {
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    if (extra) {
      Object.keys(extra).forEach(function (k) { data.set(k, extra[k]); });
    }
    return data;
  }

  function answers() {
    // the answers part of the form, to tell whether something was typed while a change was on its way
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name.charAt(0) !== "_" && name !== "csrf_token" && name !== "note" && name !== "author" && name !== "action") {
        parts.push(name + "=" + value);
      }
    });
    return parts.join("&");
  }

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = "status " + (kind || "");
    statusBox.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function pending() {
    // for people (the status line) and for tests: "1" while a change is waiting to be sent or on its way
    form.setAttribute("data-pending", dirty || timer || inflight ? "1" : "");
  }

  function schedule(delay) {
    if (blocked) return;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(function () { timer = null; send(); }, delay);
    pending();
  }

  function send(extra) {
    clearTimeout(timer);
    timer = null;
    if (inflight) {
      again = true;
      return inflight;
    }
    var data = body(extra);
    lastSent = answers();
    dirty = false;
    setStatus(extra && extra.action === "save" ? "保存しています…" : "送信しています…", "busy");
    inflight = fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: "サーバーの応答を読めませんでした（" + response.status + "）。" };
      }).then(function (json) { apply(json, response.status); return json; });
    }, function () {
      dirty = true;
      setStatus("サーバーに接続できません。入力した内容はこの画面に残っています。接続が戻ると送信します。", "error");
      return { ok: false, offline: true };
    }).then(function (json) {
      inflight = null;
      if (json && json.offline) {
        again = false;
        if (!blocked) {
          clearTimeout(timer);
          timer = setTimeout(function () { timer = null; send(); }, 5000); // try again
        }
      } else if (again && !blocked) {
        again = false;
        return send();
      }
      pending();
      return json;
    });
    pending();
    return inflight;
  }

  function flush() {
    // everything typed sent and answered (stops at a refusal or when the server cannot be reached)
    if (blocked) return Promise.resolve({ ok: false });
    var next = function (json) { return json && json.offline ? json : flush(); };
    if (inflight) return inflight.then(next);
    if (dirty || timer) return send().then(next);
    return Promise.resolve({ ok: true });
  }

  function apply(json, status) {
    if (!json.ok) {
      setStatus(json.message || "処理できませんでした。", "error");
      if (status === 422) {
        showAll = true;
        showErrors();
      }
      if (status === 409 || status === 403) blocked = true; // another tab saved first, or the page expired
      return;
    }
    form.elements["_rev"].value = json.rev;
    form.elements["_head"].value = json.head;
    if (json.form) replaceFields(json.form);
    form.elements["_sig"].value = json.sig;
    lastErrors = json.errors || {};
    lastMissing = {};
    (json.missing || []).forEach(function (p) { lastMissing[p] = true; });
    showErrors();
    document.getElementById("problems").innerHTML = json.problems;
    showCounts(json.counts || {});
    showPreview(json.preview);
    if (json.head) {
      var head = document.getElementById("head-label");
      if (head) head.textContent = "第" + json.head + "版まで保存済み";
    }
    if (json.message) {
      setStatus(json.message, "saved");
      var note = document.getElementById("note");
      if (note) note.value = "";
    } else {
      var n = Object.keys(json.errors || {}).length;
      var time = new Date().toLocaleTimeString("ja-JP");
      setStatus("自動保存しました（" + time + "）" + (n ? "。未入力又は誤りのある項目: " + n + "件" : ""), "ok");
    }
    if (answers() !== lastSent) schedule(300); // typed while the answer was on its way
  }

  function shown(path) {
    return !!lastErrors[path] && (!lastMissing[path] || showAll || touched[path]);
  }

  function showErrors() {
    var slots = form.querySelectorAll("[data-error-for]");
    Array.prototype.forEach.call(slots, function (slot) {
      var path = slot.getAttribute("data-error-for");
      slot.textContent = lastErrors[path] || "";
      slot.hidden = !shown(path);
    });
    var inputs = form.querySelectorAll("[data-path]");
    Array.prototype.forEach.call(inputs, function (el) {
      if (shown(el.getAttribute("data-path"))) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    });
  }

  function showCounts(counts) {
    var badges = document.querySelectorAll("[data-count-for]");
    Array.prototype.forEach.call(badges, function (b) {
      var n = counts[b.getAttribute("data-count-for")] || 0;
      b.textContent = n;
      b.hidden = !n;
    });
  }

  function showPreview(html) {
    var pane = document.getElementById("preview");
    var open = Array.prototype.map.call(pane.querySelectorAll("details[open]"), function (d) { return d.id; });
    var top = pane.scrollTop;
    pane.innerHTML = html;
    open.forEach(function (id) {
      var d = id && document.getElementById(id);
      if (d) d.open = true;
    });
    pane.scrollTop = top;
  }

  function replaceFields(html) {
    var box = document.getElementById("fields");
    var active = document.activeElement;
    var activeId = active && box.contains(active) ? active.id : null;
    var selection = null;
    if (activeId && typeof active.selectionStart === "number") selection = [active.selectionStart, active.selectionEnd];
    var live = {};
    Array.prototype.forEach.call(box.querySelectorAll("input, textarea, select"), function (el) {
      if (!el.name) return;
      if (el.type === "radio" || el.type === "checkbox") {
        live[el.id] = { checked: el.checked };
      } else if (el.type !== "hidden") {
        live[el.id] = { value: el.value };
      }
    });
    box.innerHTML = html;
    Array.prototype.forEach.call(box.querySelectorAll("input, textarea, select"), function (el) {
      var old = live[el.id];
      if (!old) return;
      if ("checked" in old) el.checked = old.checked;
      else el.value = old.value;
    });
    if (activeId) {
      var again = document.getElementById(activeId);
      if (again) {
        again.focus();
        if (selection && typeof again.setSelectionRange === "function") {
          try { again.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not a text field */ }
        }
      }
    }
  }

  form.addEventListener("input", function (e) {
    if (isAnswer(e.target) && e.target.type !== "radio" && e.target.type !== "checkbox") schedule(500);
  });
  form.addEventListener("focusout", function (e) {
    var path = e.target && e.target.getAttribute && e.target.getAttribute("data-path");
    if (path) touched[path] = true; // its "required" message shows with the next answer from the server
  });
  form.addEventListener("change", function (e) {
    if (isAnswer(e.target)) schedule(0);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var saving = e.submitter && e.submitter.value === "save";
    if (blocked) {
      setStatus("別のタブ又は別の人が先に変更しています。ページを再読み込みして最新の内容を確認してください。", "error");
      return;
    }
    flush().then(function (json) {
      if (saving && !(json && json.offline)) return send({ action: "save" });
      return null;
    });
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-flush]");
    if (!link || !(dirty || inflight || timer) || blocked) return;
    e.preventDefault();
    flush().then(function (json) {
      if (!(json && json.offline)) window.location.href = link.href;
    });
  });
  window.addEventListener("pagehide", function () {
    if ((dirty || timer) && !blocked && navigator.sendBeacon) navigator.sendBeacon(url, body());
  });
  pending();
  form.setAttribute("data-live", "1");
})();
