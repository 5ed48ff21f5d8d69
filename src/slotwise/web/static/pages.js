// The hosted pages' progressive enhancement. Without this script every page works (the
// times as a list, the zone picker with its button); with it:
// - a first visit (no ?tz=) shows the times in the browser's zone and clock (12/24-hour);
// - the zone picker submits on change and can be searched;
// - the times show as a month calendar (the ARIA grid pattern: arrow keys, Home/End,
//   PageUp/PageDown, one cell in the tab order) with the chosen day's times beside it;
// - the manage link gets a copy button;
// - the booking form holds the chosen time while the guest fills it in and shows the time
//   left (POST /v3/scheduling/holds; without the script the booking is checked when sent).
// Every word it shows comes from the page (data attributes), never from here.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);

  function firstVisit() {
    var changed = false;
    var select = document.getElementById("tz");
    if (select && select.dataset.auto) {
      var zone;
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = ""; }
      if (zone && zone !== select.value) { params.set("tz", zone); changed = true; }
    }
    var clock = document.querySelector("[data-auto-clock]");
    if (clock) {
      var hour12;
      try {
        hour12 = new Intl.DateTimeFormat(navigator.language, { hour: "numeric" })
          .resolvedOptions().hour12;
      } catch (e) { hour12 = undefined; }
      var wanted = hour12 === undefined ? clock.dataset.clock : (hour12 ? "12" : "24");
      if (wanted !== clock.dataset.clock) { params.set("clock", wanted); changed = true; }
    }
    if (changed) {
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
    return changed;
  }

  function zonePicker() {
    var select = document.getElementById("tz");
    if (!select) return;
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("[data-zone-submit]");
    if (button) button.hidden = true;
    var search = document.getElementById("tz-search");
    if (!search) return;
    search.hidden = false;
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().trim();
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = (option.value + " " + option.textContent).toLowerCase().replace(/_/g, " ");
          var match = !words || text.indexOf(words) !== -1;
          option.hidden = !match;
          if (match) { shown += 1; if (!first) first = option; }
        });
        group.hidden = shown === 0;
      });
      search.dataset.first = first ? first.value : "";
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      if (search.dataset.first) {
        select.value = search.dataset.first;
        select.form.submit();
      }
    });
  }

  function calendar() {
    var root = document.querySelector("[data-calendar]");
    if (!root) return;
    var list = document.querySelector("[data-list-view]");
    root.hidden = false;
    if (list) list.hidden = true;
    var cells = Array.prototype.slice.call(root.querySelectorAll("td[data-day]"));
    var label = root.querySelector("[data-times-label]");

    function cell(iso) {
      for (var i = 0; i < cells.length; i += 1) if (cells[i].dataset.day === iso) return cells[i];
      return null;
    }
    function focus(target) {
      cells.forEach(function (c) { c.tabIndex = c === target ? 0 : -1; });
      target.focus();
    }
    function choose(target) {
      if (target.getAttribute("aria-disabled") === "true") return;
      cells.forEach(function (c) { c.setAttribute("aria-selected", c === target ? "true" : "false"); });
      Array.prototype.forEach.call(root.querySelectorAll("[data-times]"), function (times) {
        times.hidden = times.dataset.times !== target.dataset.day;
      });
      if (label) label.textContent = target.dataset.label;
    }
    function shift(iso, days) {
      var d = new Date(iso + "T12:00:00Z");
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    }
    function otherMonth(selector, iso) {
      // Load that month; the day (same day of the month, or the one asked for) keeps focus.
      var link = root.querySelector(selector);
      if (!link) return;
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("day", iso);
      window.location.assign(url.toString());
    }
    function go(from, iso) {
      var target = cell(iso);
      if (target) { focus(target); return; }
      otherMonth(iso < from.dataset.day ? "[data-month-prev]" : "[data-month-next]", iso);
    }
    function edge(from, end) {
      // The first or last day of the week row (within the month shown).
      var row = Array.prototype.slice.call(from.parentNode.querySelectorAll("td[data-day]"));
      focus(end === 0 ? row[0] : row[row.length - 1]);
    }
    cells.forEach(function (c) {
      c.addEventListener("click", function () { focus(c); choose(c); });
      c.addEventListener("keydown", function (event) {
        var iso = c.dataset.day;
        switch (event.key) {
          case "ArrowLeft": go(c, shift(iso, -1)); break;
          case "ArrowRight": go(c, shift(iso, 1)); break;
          case "ArrowUp": go(c, shift(iso, -7)); break;
          case "ArrowDown": go(c, shift(iso, 7)); break;
          case "Home": edge(c, 0); break;
          case "End": edge(c, -1); break;
          case "PageUp": otherMonth("[data-month-prev]", monthShift(iso, -1)); break;
          case "PageDown": otherMonth("[data-month-next]", monthShift(iso, 1)); break;
          case "Enter": case " ": choose(c); break;
          default: return;
        }
        event.preventDefault();
      });
    });
    function monthShift(iso, months) {
      var d = new Date(iso + "T12:00:00Z");
      var day = d.getUTCDate();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + months);
      var last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      d.setUTCDate(Math.min(day, last));
      return d.toISOString().slice(0, 10);
    }
    var asked = params.get("day") && cell(params.get("day"));
    if (asked) focus(asked);
  }

  function copyButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
      var source = document.getElementById(button.dataset.copy);
      var status = button.parentNode.querySelector("[data-copy-status]");
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.href).then(function () {
          if (status) status.textContent = button.dataset.copied;
        });
      });
    });
  }

  // The hold's id and secret are kept for this tab (sessionStorage), so that picking another
  // time moves the guest's hold instead of taking a second one.
  function hold() {
    var note = document.querySelector("[data-hold]");
    var id = document.querySelector("[data-hold-id]");
    var secret = document.querySelector("[data-hold-secret]");
    if (!note || !id || !secret || !window.fetch) return;
    var key = "slotwise-hold:" + note.dataset.url;
    var stored = null;
    try { stored = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (id.value) stored = { hold_id: id.value, hold_secret: secret.value };
    var timer = null;

    function say(text) {
      note.textContent = text;
      note.hidden = false;
    }

    function remember(value) {
      try {
        if (value) window.sessionStorage.setItem(key, JSON.stringify(value));
        else window.sessionStorage.removeItem(key);
      } catch (e) { /* storage refused: the hold just does not move */ }
    }

    function countdown(seconds) {
      var ends = Date.now() + seconds * 1000;
      function tick() {
        var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
        if (!left) {
          window.clearInterval(timer);
          say(note.dataset.expired);
          return;
        }
        var minutes = Math.floor(left / 60);
        var rest = left % 60;
        say(note.dataset.held.replace("{time}", minutes + ":" + (rest < 10 ? "0" : "") + rest));
      }
      tick();
      timer = window.setInterval(tick, 1000);
    }

    // The request taking (or moving) the hold, until it has settled. A guest who sends the
    // form before it answers would book without the hold's id while the hold already stands
    // on the server: refused as held by someone else. So the form waits for it.
    var taking = null;

    function take(previous) {
      var body = { start_time: Number(note.dataset.start), end_time: Number(note.dataset.end) };
      if (previous) {
        body.hold_id = previous.hold_id;
        body.hold_secret = previous.hold_secret;
      }
      return window.fetch(note.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            var data = answer.data;
            id.value = data.hold_id;
            secret.value = data.hold_secret;
            remember({ hold_id: data.hold_id, hold_secret: data.hold_secret });
            countdown(data.expires_in);
          } else if (response.status === 409 && answer.error.type === "timeslot_not_available") {
            say(note.dataset.taken);
          } else if (previous) {
            remember(null);  // a hold this tab no longer owns: take a fresh one
            return take(null);
          }
        });
      }).catch(function () { /* no hold: the booking is still checked when sent */ });
    }

    var form = note.closest("main").querySelector("form.booking");
    form.addEventListener("submit", function (event) {
      remember(null);  // the booking converts the hold
      if (!taking) return;
      event.preventDefault();
      taking.then(function () { form.submit(); });  // form.submit() fires no second event
    });
    taking = take(stored).then(function () { taking = null; });
  }

  if (firstVisit()) return;
  zonePicker();
  calendar();
  copyButtons();
  hold();
})();
