// The teacher's offline outbox: attendance and marks entered without a connection wait on
// the device and are sent, as the same POSTs, when it returns. Also the device time on every
// write. Loaded on staff pages only (before journal-grid.js, which uses window.kundolukOutbox).
// Every write is the same POST a page without JS sends (the write contract: client_id,
// base_version, device_time), so the queue replays them.
(function () {
  "use strict";
  function uuid() {
    // crypto.randomUUID needs a secure context; school servers often run on plain http.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // When the entry was made on this device: stamped as the form is sent (htmx or not).
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("[data-write]")) { return; }
    var stamp = form.querySelector("input[name=device_time]");
    if (stamp) { stamp.value = new Date().toISOString(); }
  }, true);

  // --- The offline queue ------------------------------------------------------------------
  // Attendance and marks entered without a connection wait in IndexedDB with their author (an
  // opaque, stable name of the account: meta[name=account]) and are sent when the connection
  // returns and when a staff page opens: the same POSTs as online, with their client_id and
  // base_version, after a fresh CSRF token. The server's rules decide; nothing is dropped
  // without the teacher's choice. On a shared tablet an entry is sent only under its author.
  var WRITE = /^\/journal\/(lessons\/[\w-]+\/(attendance\/[\w-]+|attendance-confirm|marks\/[\w-]+)|a\/[\w-]+\/term-marks\/[\w-]+)$/;
  var meta = document.querySelector('meta[name="account"]');
  var T = meta ? meta.dataset : {};

  var store = (function () {
    var opened = null;
    function open() {
      opened = opened || new Promise(function (resolve, reject) {
        var req = indexedDB.open("kundoluk-outbox", 1);
        req.onupgradeneeded = function () { req.result.createObjectStore("entries", {keyPath: "id", autoIncrement: true}); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { opened = null; reject(req.error); };
      });
      return opened;
    }
    // Resolves once the transaction is committed: after that, closing the tab loses nothing.
    function run(mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("entries", mode), req = work(tx.objectStore("entries"));
          tx.oncomplete = function () { resolve(req.result); };
          tx.onerror = tx.onabort = function () { reject(tx.error); };
        });
      });
    }
    // Read, change and write in one transaction: a tap saved meanwhile is never overwritten.
    function each(change, last) {
      return run("readwrite", function (s) {
        var req = s.getAll();
        req.onsuccess = function () {
          req.result.forEach(function (e) { if (change(e)) { s.put(e); } });
          if (last) { s.put(last); }
        };
        return req;
      });
    }
    return {
      all: function () { return run("readonly", function (s) { return s.getAll(); }); },
      put: function (entry) { return run("readwrite", function (s) { return s.put(entry); }); },
      del: function (id) { return run("readwrite", function (s) { return s.delete(id); }); },
      each: each,
      claim: function (id) {
        // The entry as it is now, marked as tried: from here on it may have arrived.
        var found = null;
        return each(function (e) {
          if (e.id !== id || e.state !== "queued") { return false; }
          found = e;
          e.tried = true;
          return true;
        }).then(function () { return found; });
      }
    };
  })();

  var queue = {me: meta ? meta.content : null, mine: 0, busy: false, signin: false};

  // A new entry; an unsent, untried one for the same field (a second tap offline) is replaced,
  // keeping the version the page showed before the first.
  queue.add = function (url, fields, view, tried) {
    fields.device_time = fields.device_time || new Date().toISOString();
    var entry = {author: queue.me, url: url, key: url + "|" + (fields.slot || "") + "|" + (fields.term || ""),
      fields: fields, view: view, state: "queued", tried: tried};
    return store.each(function (e) {
      if (e.author === entry.author && e.key === entry.key && e.state === "queued" && !e.tried) {
        entry.id = e.id;
        fields.base_version = e.fields.base_version;
      }
      return false;
    }, entry).then(refresh);
  };

  function expired(resp) {
    // The session ended (or its CSRF token did): keep everything and ask to sign in again.
    return resp.status === 401 || resp.status === 400 || Boolean(resp.headers.get("HX-Redirect")) ||
      (resp.redirected && new URL(resp.url).pathname === "/login");
  }

  function staffPage() {
    // A boosted switch to a parent's context keeps this script and <head>: send nothing there.
    var ctx = document.querySelector("form.contexts button[aria-current]");
    return !ctx || ctx.value.indexOf("staff:") === 0;
  }

  function locked(work) {
    // One tab sends at a time (a second copy would only be a harmless replay).
    return navigator.locks ? navigator.locks.request("kundoluk-outbox", work) : work();
  }

  function flush() {
    if (queue.busy || !queue.me || !navigator.onLine || !staffPage()) { return Promise.resolve(); }
    queue.busy = true;
    return locked(function () {
      return store.all().then(function (list) {
        var todo = list.filter(function (e) { return e.author === queue.me && e.state === "queued"; });
        if (!todo.length) { return null; }
        todo.sort(function (a, b) { return a.id - b.id; });  // in the order they were made
        return fetch("/csrf", {credentials: "same-origin", cache: "no-store"})
          .then(function (resp) { return resp.json(); })
          .then(function (data) { return sendAll(todo, data.token); });
      });
    }).catch(function () { return null; })  // the connection went again: the next chance sends it
      .then(function () { queue.busy = false; return refresh(); });
  }

  function sendAll(todo, token) {
    var next = todo.shift(), entry = null;
    if (!next) { return null; }
    return store.claim(next.id).then(function (claimed) {
      entry = claimed;
      return entry && fetch(entry.url, {method: "POST", credentials: "same-origin", body: new URLSearchParams(entry.fields),
        headers: {"X-CSRFToken": token, "HX-Request": "true",
          "HX-Target": entry.view.target ? entry.view.target.slice(1) : "cell"}});
    }).then(function (resp) {
      if (!resp) { return sendAll(todo, token); }  // decided or sent by another tab meanwhile
      if (expired(resp)) { queue.signin = true; return null; }
      if (resp.status >= 500) { return null; }  // the server's trouble: try again later
      return resp.text().then(function (html) { return settle(entry, resp.status, fragment(html)); })
        .then(function () { return sendAll(todo, token); });
    });
  }

  // The server's answer: saved (also a replay), a conflict (the teacher chooses) or a refusal
  // (kept, with the reason, until the teacher discards it).
  function settle(entry, status, frag) {
    var version = versionIn(frag, entry);
    show(entry, frag);
    if (status < 300) {
      // Later entries of the same field were made on what this one replaced: now on it.
      return store.del(entry.id).then(function () {
        return version !== null && store.each(function (e) {
          var based = e.author === entry.author && e.key === entry.key && e.state === "queued" &&
            e.fields.base_version === entry.fields.base_version;
          if (based) { e.fields.base_version = version; }
          return based;
        });
      });
    }
    entry.state = status === 409 ? "conflict" : "refused";
    entry.server = version;
    entry.theirs = status === 409 ? theirs(frag, entry) : "";
    entry.message = status === 404 ? T.gone : reason(frag);
    return store.put(entry);
  }

  function fragment(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  function fits(form, entry) {
    // The form of the entry's mark slot (or term): a row of marks has one form per slot.
    var slot = form.querySelector("input[name=slot]"), term = form.querySelector("input[name=term]");
    return form.getAttribute("action") === entry.url && (!slot || slot.value === entry.fields.slot) &&
      (!term || term.value === entry.fields.term);
  }

  function slotForm(frag, entry) {
    return Array.prototype.filter.call(frag ? frag.querySelectorAll("form") : [], function (f) { return fits(f, entry); })[0];
  }

  function versionIn(frag, entry) {
    if (!frag) { return null; }
    if (entry.view.l) {  // a grid cell: the slot's mark, or none yet
      var el = frag.querySelector('[data-s="' + entry.fields.slot + '"]');
      return el ? el.dataset.v : "0";
    }
    var base = slotForm(frag, entry);
    base = base && base.querySelector("input[name=base_version]");
    return base ? base.value : null;
  }

  function theirs(frag, entry) {
    if (!frag) { return "—"; }
    if (entry.fields.code) {
      var on = frag.querySelector("button.on[data-c]");
      return on ? on.title : T.present;
    }
    if (entry.view.l) {
      var b = frag.querySelector('b[data-s="' + entry.fields.slot + '"]');
      return b ? b.textContent : "—";
    }
    var form = slotForm(frag, entry), input = form && form.querySelector("input[name=value]");
    return (input && input.value) || "—";
  }

  function reason(frag) {
    if (!frag) { return ""; }
    var el = frag.querySelector(".jst.er, p");
    return (frag.title || (el || frag).textContent).trim();
  }

  // --- What the page shows of the queue ---------------------------------------------------

  function nameOf(el) {
    return el ? (el.firstChild ? el.firstChild.textContent : el.textContent).split(" · ")[0].trim() : "";
  }

  function place() {
    return document.title.split(" · ").slice(0, -1).join(" · ");
  }

  function formOf(entry) {
    return slotForm(document, entry) || null;
  }

  function gridCell(entry) {
    var head = document.querySelector('#jg th[data-l="' + entry.view.l + '"]');
    var row = document.querySelector('#jg tr[data-p="' + entry.view.p + '"]');
    return head && row ? row.cells[head.cellIndex] : null;
  }

  // The server's fragment replaces what the page showed for the entry (if it is on this page).
  function show(entry, frag) {
    var form = entry.view.l ? null : formOf(entry);
    var old = entry.view.l ? gridCell(entry) : form && form.closest("li, td");
    if (old && frag && frag.tagName === old.tagName) {
      if (old.hasAttribute("tabindex")) { frag.tabIndex = old.tabIndex; }
      old.replaceWith(frag);
      htmx.process(frag);
    }
  }

  function paintCell(td, slot, value) {
    var el = td.querySelector('[data-s="' + slot + '"]');
    var mark = document.createElement(value ? "b" : "u");
    mark.dataset.s = slot;
    mark.dataset.v = el ? el.dataset.v : "0";
    mark.textContent = value;
    if (el) {
      el.replaceWith(mark);
    } else if (value) {
      var after = Array.prototype.filter.call(td.querySelectorAll("[data-s], i"), function (x) { return !x.dataset.s || x.dataset.s > slot; })[0];
      td.insertBefore(mark, after || null);
    }
    td.classList.remove("busy", "er", "ok", "cf");
    td.classList.add("q");
    td.title = T.queued || "";
  }

  function paintAttendance(li, code) {
    ["absent", "ill", "excused", "late", "ok"].forEach(function (c) { li.classList.remove(c); });
    if (code !== "present") { li.classList.add(code); }
    Array.prototype.forEach.call(li.querySelectorAll("button[data-c]"), function (b) {
      var on = b.dataset.c === code;
      b.classList.toggle("on", on);
      b.value = on ? "present" : b.dataset.c;
      b.setAttribute("aria-pressed", String(on));
    });
  }

  // An entry waiting to be sent shows its value on its row or cell, marked "not yet sent".
  function paint(entry) {
    if (entry.view.l) {
      var td = gridCell(entry);
      if (td) { paintCell(td, entry.fields.slot, entry.fields.value); }
      return;
    }
    var form = formOf(entry);
    if (!form) { return; }
    var box = form.closest("li, td") || form, value = form.querySelector("input[name=value]");
    if (entry.fields.code) { paintAttendance(box, entry.fields.code); }
    if (value) { value.value = entry.fields.value || ""; }
    box.classList.add("q");
    say(box, T.queued, "q");
  }

  function say(box, text, state) {
    var status = box.querySelector(".jst");
    if (!status) {
      status = document.createElement("span");
      status.setAttribute("role", "status");
      box.appendChild(status);
    }
    status.className = "jst " + state;
    status.textContent = text || "";
  }

  function button(text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function line(parent, tag, parts) {
    var el = document.createElement(tag);
    parts.forEach(function (part) {
      if (!part) { return; }
      el.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
      el.appendChild(document.createTextNode(" "));
    });
    parent.appendChild(el);
    return el;
  }

  function decide(entry, keep) {
    // Keep mine: send it again on the version now saved. Keep the saved one: drop mine.
    if (!keep) { return store.del(entry.id).then(refresh); }
    entry.state = "queued";
    entry.fields.base_version = entry.server || "0";
    return store.put(entry).then(flush);
  }

  function problem(list, entry) {
    var li = line(list, "li", [entry.view.label + ":"]);
    if (entry.state === "conflict") {
      line(li, "span", [T.conflict.replace("{theirs}", entry.theirs).replace("{mine}", entry.view.mine),
        button(T.keepMine + " " + entry.view.mine, function () { decide(entry, true); }),
        button(T.keepSaved, function () { decide(entry, false); })]);
    } else {
      line(li, "span", [T.refused + " " + entry.message, button(T.discard, function () { decide(entry, false); })]);
    }
    li.dataset.state = entry.state;
  }

  function refresh() {
    return store.all().then(function (list) {
      var mine = list.filter(function (e) { return e.author === queue.me; });
      var waiting = mine.filter(function (e) { return e.state === "queued"; });
      var others = list.length - mine.length;
      queue.mine = mine.length;
      waiting.forEach(paint);
      var main = document.getElementById("main"), box = document.getElementById("outbox");
      if (!main) { return; }
      if (!box) {
        box = document.createElement("div");
        box.id = "outbox";
        box.className = "outbox";
        box.setAttribute("role", "status");
        main.insertBefore(box, main.firstChild);
      }
      box.textContent = "";
      if (waiting.length && queue.signin) {
        var signin = document.createElement("a");
        signin.href = "/login";
        signin.textContent = T.signinLink;
        line(box, "p", [T.signin.replace("{num}", waiting.length), signin]).className = "pending";
      } else if (waiting.length) {
        line(box, "p", [T.pending.replace("{num}", waiting.length),
          navigator.onLine ? button(T.send, flush) : null]).className = "pending";
      }
      var problems = mine.filter(function (e) { return e.state !== "queued"; });
      if (problems.length) {
        var ul = document.createElement("ul");
        problems.forEach(function (e) { problem(ul, e); });
        box.appendChild(ul);
      }
      if (others) { line(box, "p", [T.other.replace("{num}", others)]).className = "others"; }
      box.hidden = !box.firstChild;
    }, function () { return null; });
  }

  function hold(form, url, data, tried) {
    var fields = {};
    data.forEach(function (v, k) { if (k !== "csrf_token" && typeof v === "string") { fields[k] = v; } });
    var chip = fields.code && form.querySelector('button[data-c="' + fields.code + '"]');
    var mine = fields.code ? (chip ? chip.title : T.present) : (/confirm$/.test(url) ? T.confirmed : fields.value || "—");
    var row = form.closest("li, tr");
    var view = {target: form.getAttribute("hx-target"), mine: mine,
      label: (row ? nameOf(row.querySelector(".jwho, th")) + " · " : "") + place()};
    var id = form.querySelector("input[name=client_id]");
    if (id) { id.value = uuid(); }  // the next tap on this form is an entry of its own
    return queue.add(url, fields, view, tried).catch(function () { say(form.closest("li, td") || form, T.unsaved, "er"); });
  }

  function signIn() {
    // Back to this page after signing in (not to the POST's address the server would name).
    window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    return null;
  }

  function writeUrl(form) {
    var action = form.matches && form.matches("form[data-write]") ? form.getAttribute("action") : null;
    return action && WRITE.test(action) ? action : null;
  }

  if (queue.me && window.indexedDB) {
    // Offline, a tap on a journal form goes to the queue instead of failing (htmx never sees it).
    document.addEventListener("submit", function (evt) {
      var url = writeUrl(evt.target);
      if (!url || navigator.onLine) { return; }
      evt.preventDefault();
      evt.stopPropagation();
      hold(evt.target, url, new FormData(evt.target, evt.submitter), false);
    }, true);
    // Online, but the request got no answer: it may have arrived, so the queue replays it.
    document.addEventListener("htmx:sendError", function (evt) {
      var cfg = evt.detail.requestConfig, url = writeUrl(evt.target);
      if (url && cfg && cfg.formData) { hold(evt.target, url, cfg.formData, true); }
    });
    // The session ended: the tap waits in the queue while the teacher signs in again.
    document.addEventListener("htmx:beforeOnLoad", function (evt) {
      var cfg = evt.detail.requestConfig, url = writeUrl(evt.target), xhr = evt.detail.xhr;
      if (!url || !cfg || !xhr || !(xhr.status === 400 || xhr.status === 401 || xhr.getResponseHeader("HX-Redirect"))) {
        return;
      }
      evt.preventDefault();
      hold(evt.target, url, cfg.formData, false).then(signIn);
    });
    document.addEventListener("kundoluk:signout", function (evt) {
      if (queue.mine && !window.confirm(T.signout.replace("{num}", queue.mine))) { evt.preventDefault(); }
    });
    window.addEventListener("online", flush);
    window.addEventListener("offline", refresh);
    // A flaky signal may not fire "online": look again now and then while something waits.
    setInterval(function () { if (queue.mine && !queue.signin) { flush(); } }, 20000);
  } else {
    queue.me = null;
  }

  htmx.onLoad(function (elt) {
    // A page opened (or a boosted navigation brought one): show the queue on it, send what waits.
    if (queue.me && (elt.id === "main" || (elt.querySelector && elt.querySelector("#main")))) { refresh().then(flush); }
  });

  // What the journal grid needs to write through the outbox.
  window.kundolukOutbox = {queue: queue, uuid: uuid, csrf: csrf, expired: expired, signIn: signIn,
    nameOf: nameOf, place: place, paintCell: paintCell};
})();
