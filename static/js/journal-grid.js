// The journal grid: keyboard and touch entry of marks, one POST per changed slot. Loaded on
// staff pages after outbox.js: offline, a mark waits in its queue like any other write.
(function () {
  "use strict";
  var outbox = window.kundolukOutbox, queue = outbox.queue, uuid = outbox.uuid, csrf = outbox.csrf;
  var expired = outbox.expired, signIn = outbox.signIn, nameOf = outbox.nameOf, place = outbox.place;
  var paintCell = outbox.paintCell;
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

  htmx.onLoad(function (elt) {
    var table = elt.id === "jg" ? elt : (elt.querySelector && elt.querySelector("#jg"));
    if (table && !table.dataset.ready) {
      table.dataset.ready = "1";
      new Grid(table);
    }
  });
})();
