// The teacher's journal: device time on every write, and the grid's keyboard and touch entry.
// Loaded on staff pages only. Every write is the same POST a page without JS sends (the
// write contract: client_id, base_version, device_time), so the offline queue replays them.
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

  // --- The journal grid -----------------------------------------------------------------
  var MARK = /н\/а|n\/a|[^\/\s,;]+/gi;

  function Grid(table) {
    this.table = table;
    this.heads = table.tHead.rows[0].cells;
    this.schemes = JSON.parse(table.dataset.schemes || "{}");
    this.msg = document.getElementById("jmsg");
    this.busy = false;
    var self = this;
    this.rows().forEach(function (tr) {
      for (var c = 2; c < tr.cells.length - 1; c++) {
        if (self.writable(tr.cells[c])) { tr.cells[c].tabIndex = -1; }
      }
    });
    var first = table.querySelector("td[tabindex]");
    if (first) { first.tabIndex = 0; }
    table.addEventListener("keydown", function (e) { self.key(e); });
    table.addEventListener("click", function (e) { self.click(e); });
    var today = document.getElementById("today");
    if (today && today.scrollIntoView) { today.scrollIntoView({block: "nearest", inline: "center"}); }
  }

  Grid.prototype.rows = function () { return Array.prototype.slice.call(this.table.tBodies[0].rows); };

  Grid.prototype.writable = function (td) {
    var head = this.heads[td.cellIndex];
    return td.tagName === "TD" && head && head.classList.contains("w") && !td.classList.contains("lk");
  };

  Grid.prototype.scheme = function (td) {
    return this.schemes[td.parentNode.dataset.s] || {values: [], slots: 1};
  };

  Grid.prototype.say = function (text, actions) {
    if (!this.msg) { return; }
    this.msg.textContent = text || "";
    (actions || []).forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.textContent = a[0];
      b.addEventListener("click", a[1]);
      this.msg.appendChild(document.createTextNode(" "));
      this.msg.appendChild(b);
    }, this);
  };

  Grid.prototype.focus = function (td) {
    var old = this.table.querySelector("td[tabindex='0']");
    if (old && old !== td) { old.tabIndex = -1; }
    td.tabIndex = 0;
    td.focus();
  };

  Grid.prototype.next = function (td, dRow, dCol) {
    var rows = this.rows();
    var r = rows.indexOf(td.parentNode), c = td.cellIndex;
    for (;;) {
      r += dRow; c += dCol;
      if (r < 0 || r >= rows.length || c < 2 || c >= rows[r].cells.length - 1) { return null; }
      if (this.writable(rows[r].cells[c])) { return rows[r].cells[c]; }
    }
  };

  Grid.prototype.move = function (td, dRow, dCol) {
    var to = this.next(td, dRow, dCol);
    if (to) { this.focus(to); }
    return to;
  };

  Grid.prototype.slots = function (td) {
    var found = {};
    Array.prototype.forEach.call(td.querySelectorAll("[data-s]"), function (el) {
      found[el.dataset.s] = {value: el.tagName === "B" ? el.textContent : "", version: el.dataset.v};
    });
    return found;
  };

  Grid.prototype.text = function (td) {
    return Array.prototype.map.call(td.querySelectorAll("b"), function (b) { return b.textContent; }).join("/");
  };

  Grid.prototype.key = function (e) {
    var td = e.target.closest("td");
    if (!td || !this.writable(td)) { return; }
    if (e.target.tagName === "INPUT") { return this.editKey(e, td); }
    var moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Enter: [1, 0]};
    if (e.key === "Tab") {
      if (this.move(td, 0, e.shiftKey ? -1 : 1)) { e.preventDefault(); }
    } else if (e.key === "F2" && e.shiftKey) {
      e.preventDefault();
      this.picker(td).focus();  // the comment first; Tab reaches the marks, Enter saves both
    } else if (e.key === "F2") {
      e.preventDefault();
      this.edit(td, this.text(td));
    } else if (moves[e.key]) {
      e.preventDefault();
      this.move(td, moves[e.key][0], moves[e.key][1]);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      this.save(td, []);
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.edit(td, e.key);
    }
  };

  Grid.prototype.edit = function (td, start) {
    this.closePicker();
    var input = document.createElement("input");
    input.value = start;
    input.setAttribute("aria-label", td.parentNode.cells[1].textContent.trim());
    input.autocomplete = "off";
    td.dataset.was = td.innerHTML;
    delete td.dataset.done;
    td.textContent = "";
    td.appendChild(input);
    input.focus();
    input.setSelectionRange(start.length, start.length);
    var self = this;
    // Leaving the cell (a tap elsewhere) saves what was typed, without moving on. Chromium
    // also fires blur while the input is being removed below: "done" says it was handled.
    input.addEventListener("blur", function () {
      if (td.dataset.done || !td.contains(input)) { return; }
      td.dataset.done = "1";
      var values = input.value.match(MARK) || [];
      td.innerHTML = td.dataset.was;
      delete td.dataset.was;
      self.save(td, values);
    });
  };

  Grid.prototype.editKey = function (e, td) {
    var input = e.target;
    var dirs = {Enter: [1, 0], ArrowDown: [1, 0], ArrowUp: [-1, 0], Tab: [0, e.shiftKey ? -1 : 1]};
    if (e.key === "Escape") {
      e.preventDefault();
      td.dataset.done = "1";
      td.innerHTML = td.dataset.was;
      delete td.dataset.was;
      this.focus(td);
    } else if (dirs[e.key]) {
      e.preventDefault();
      td.dataset.done = "1";
      var values = input.value.match(MARK) || [];
      td.innerHTML = td.dataset.was;
      delete td.dataset.was;
      var to = this.move(td, dirs[e.key][0], dirs[e.key][1]) || td;
      this.focus(to);
      this.save(td, values);
    }
  };

  // Post the changed slots one after another (each write carries the version it saw).
  Grid.prototype.save = function (td, values) {
    var self = this, scheme = this.scheme(td);
    if (values.length > scheme.slots) {
      td.classList.add("er");
      return this.say(td.closest("tr").cells[1].textContent.trim() + ": " + this.table.dataset.tooMany);
    }
    var have = this.slots(td), changes = [];
    var top = Math.max(values.length, Object.keys(have).length ? Math.max.apply(null, Object.keys(have).map(Number)) : 0);
    for (var s = 1; s <= top; s++) {
      var want = values[s - 1] || "", old = have[s] ? have[s].value : "";
      if (want.toLowerCase() !== old.toLowerCase()) { changes.push([s, want]); }
    }
    var chain = Promise.resolve(td);
    changes.forEach(function (change) {
      chain = chain.then(function (cell) { return cell && self.post(cell, change[0], change[1], null); });
    });
    return chain;
  };

  Grid.prototype.post = function (td, slot, value, comment) {
    var self = this, tr = td.parentNode, head = this.heads[td.cellIndex];
    var have = this.slots(td)[slot];
    var body = new URLSearchParams({client_id: uuid(), base_version: have ? have.version : "0",
      device_time: new Date().toISOString(), slot: String(slot), value: value});
    if (comment !== null) { body.set("comment", comment); }
    var url = "/journal/lessons/" + head.dataset.l + "/marks/" + tr.dataset.p;
    if (!navigator.onLine) { return this.hold(td, url, body, slot, value, false); }
    td.classList.add("busy");
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf(), "HX-Request": "true", "HX-Target": "cell"}})
      .then(function (resp) {
        if (expired(resp)) {  // signed out meanwhile: kept, and sent after signing in again
          return self.hold(td, url, body, slot, value, false).then(signIn);
        }
        return resp.text().then(function (html) { return self.swap(td, html, resp.status, slot); });
      }, function () {
        td.classList.remove("busy");
        return self.hold(td, url, body, slot, value, true);  // it may have arrived: the queue replays it
      });
  };

  // No connection: the mark waits in the offline queue and the cell shows it as not yet sent.
  Grid.prototype.hold = function (td, url, body, slot, value, tried) {
    var self = this, fields = {};
    if (!queue.me) { td.classList.add("er"); this.say(this.table.dataset.offline); return Promise.resolve(null); }
    body.forEach(function (v, k) { fields[k] = v; });
    var view = {l: this.heads[td.cellIndex].dataset.l, p: td.parentNode.dataset.p, mine: value || "—",
      label: nameOf(td.parentNode.cells[1]) + " · " + this.heads[td.cellIndex].textContent.trim() + " · " + place()};
    return queue.add(url, fields, view, tried).then(function () { paintCell(td, String(slot), value); self.say(""); return td; },
      function () { td.classList.add("er"); self.say(self.table.dataset.offline); return null; });
  };

  Grid.prototype.swap = function (td, html, status, slot) {
    var holder = document.createElement("tr");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh || fresh.tagName !== "TD") {
      td.classList.remove("busy");
      td.classList.add("er");
      this.say(holder.textContent.trim());
      return null;
    }
    var focused = document.activeElement === td;
    fresh.tabIndex = td.tabIndex;
    td.replaceWith(fresh);
    if (focused) { fresh.focus(); }
    if (status === 409) { this.conflict(fresh, slot); return null; }
    this.say(status === 200 ? "" : fresh.title);
    return status === 200 ? fresh : null;
  };

  // Both values are shown; the teacher chooses.
  Grid.prototype.conflict = function (td, slot) {
    var self = this, mine = td.dataset.mine || "";
    this.say(td.title, [
      [this.table.dataset.keepMine + " " + (mine || "—"), function () { self.say(""); self.post(td, slot, mine, null); }],
      [this.table.dataset.keepSaved, function () { td.classList.remove("cf"); self.say(""); }]
    ]);
  };

  // Touch: a tap opens a picker of the pupil's scheme values.
  Grid.prototype.click = function (e) {
    var td = e.target.closest("td");
    if (!td || !this.writable(td) || e.target.tagName === "INPUT") { return; }
    this.focus(td);
    this.picker(td);
  };

  Grid.prototype.closePicker = function () {
    var open = document.querySelector(".jpk");
    if (open) { open.remove(); }
  };

  Grid.prototype.picker = function (td) {
    var self = this, scheme = this.scheme(td), have = this.slots(td);
    this.closePicker();
    var box = document.createElement("div");
    box.className = "jpk";
    box.setAttribute("role", "dialog");
    var title = document.createElement("p");
    title.textContent = td.parentNode.cells[1].textContent.trim() + " · " + this.heads[td.cellIndex].textContent.trim();
    box.appendChild(title);
    var comment = document.createElement("input");
    comment.placeholder = this.table.dataset.comment;
    comment.maxLength = 500;
    box.appendChild(comment);  // typed first, then a tap on the mark saves both
    var adding = false;
    function button(label, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", handler);
      box.appendChild(b);
      return b;
    }
    scheme.values.forEach(function (value) {
      button(value, function () {
        var live = Object.keys(have).filter(function (s) { return have[s].value; }).length;
        var slot = adding ? Math.min(live + 1, scheme.slots) : 1;
        self.closePicker();
        self.post(td, slot, value, comment.value);
      });
    });
    if (scheme.slots > 1) {
      var plus = button("+", function () { adding = !adding; plus.setAttribute("aria-pressed", String(adding)); });
      plus.title = this.table.dataset.addMark;
      plus.setAttribute("aria-pressed", "false");
    }
    button("✕", function () { self.closePicker(); self.save(td, []); }).title = this.table.dataset.clear;
    document.body.appendChild(box);
    var r = td.getBoundingClientRect();
    box.style.left = Math.max(4, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 4)) + "px";
    box.style.top = (window.scrollY + r.bottom + 4) + "px";
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") { self.closePicker(); self.focus(td); } });
    return comment;
  };

  document.addEventListener("click", function (e) {
    if (!e.target.closest(".jpk") && !e.target.closest("#jg")) {
      var open = document.querySelector(".jpk");
      if (open) { open.remove(); }
    }
  });

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
    var table = elt.id === "jg" ? elt : (elt.querySelector && elt.querySelector("#jg"));
    if (table && !table.dataset.ready) {
      table.dataset.ready = "1";
      new Grid(table);
    }
    // A page opened (or a boosted navigation brought one): show the queue on it, send what waits.
    if (queue.me && (elt.id === "main" || (elt.querySelector && elt.querySelector("#main")))) { refresh().then(flush); }
  });
})();
