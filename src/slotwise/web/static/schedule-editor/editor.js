/*
 * The Schedule Editor page (in the iframe the loader opens). It waits for its options from the
 * parent window by postMessage, then talks to /manage/pages with the token in an
 * Authorization header, never in a URL. It checks nothing itself: the API validates every
 * field and its 400 names the field ("config.event.duration: ..."), which is shown next to the
 * input bound to that path.
 */
(function () {
  "use strict";

  var DAYS = [["M", "Mon"], ["T", "Tue"], ["W", "Wed"], ["R", "Thu"], ["F", "Fri"], ["S", "Sat"], ["U", "Sun"]];
  var FIELD_TYPES = ["text", "multi-line text", "email", "phone", "number", "dropdown", "checkbox", "multi-select list", "date"];
  var OPTION_KEYS = { dropdown: "dropdown_options", "multi-select list": "multi_select_options" };
  var SCHEDULING_METHODS = ["collective", "round-robin-maximize-fairness", "round-robin-maximize-availability"];

  var options = null; // {auth, style, defaults, behavior}
  var token = null;
  var draft = null; // the page being edited (the whole v2 page object)
  var app = document.getElementById("app");

  // ------------------------------------------------------------------ small helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else if (key === "value") node.value = value;
      else if (key === "checked") node.checked = true;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function get(obj, path) {
    return path.reduce(function (at, key) { return at === null || at === undefined ? undefined : at[key]; }, obj);
  }

  function set(obj, path, value) {
    var at = obj;
    for (var i = 0; i < path.length - 1; i++) {
      if (at[path[i]] === null || typeof at[path[i]] !== "object") at[path[i]] = typeof path[i + 1] === "number" ? [] : {};
      at = at[path[i]];
    }
    at[path[path.length - 1]] = value;
  }

  // "config.booking.opening_hours[0].days" <-> ["config", "booking", "opening_hours", 0, "days"]
  function pathName(path) {
    return path.reduce(function (name, key) {
      return typeof key === "number" ? name + "[" + key + "]" : name ? name + "." + key : key;
    }, "");
  }

  function status(text, bad) {
    var node = document.getElementById("status");
    if (!node) {
      node = el("p", { id: "status", role: "status" });
      app.prepend(node);
    }
    node.textContent = text;
    node.className = bad ? "banner" : "";
  }

  function api(method, path, body) {
    var init = {
      method: method,
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function errorText(result) {
    var data = result.data || {};
    if (data.error && data.error.message) return String(data.error.message);
    if (data.message) return String(data.message);
    return "The request failed (" + result.status + ")";
  }

  // ------------------------------------------------------------------ start-up

  window.addEventListener("message", function (event) {
    if (options !== null || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type !== "slotwise-editor:init" || !data.auth) return;
    options = data;
    start();
  });

  document.getElementById("close").addEventListener("click", function () {
    window.parent.postMessage({ type: "slotwise-editor:close" }, "*");
  });

  if (window.parent === window) {
    status("Open the Schedule Editor from your application with nylas.scheduler.show().", true);
  } else {
    // Nothing secret in this message: the parent answers with the options, to this origin only.
    window.parent.postMessage({ type: "slotwise-editor:ready" }, "*");
  }

  function applyStyle(style) {
    var root = document.documentElement.style;
    if (style.tintColor) root.setProperty("--tint", String(style.tintColor));
    if (style.backgroundColor) root.setProperty("--bg", String(style.backgroundColor));
    if (style.modalTitle) document.getElementById("title").textContent = String(style.modalTitle);
  }

  function start() {
    applyStyle(options.style || {});
    var auth = options.auth;
    token = auth.pageEditToken || auth.accessToken;
    if (auth.pageEditToken) {
      // An edit_token reaches its own page only: the list holds exactly that page.
      api("GET", "/manage/pages").then(function (result) {
        if (!result.ok || !Array.isArray(result.data) || !result.data.length) {
          status(result.ok ? "No page found for this edit token." : errorText(result), true);
          return;
        }
        edit(result.data[0]);
      });
    } else {
      listPages();
    }
  }

  // ------------------------------------------------------------------ the account's pages

  function listPages() {
    app.textContent = "";
    status("Loading pages…");
    api("GET", "/manage/pages?offset=0&limit=100").then(function (result) {
      if (!result.ok) { status(errorText(result), true); return; }
      app.textContent = "";
      var behavior = options.behavior || {};
      var list = el("ul", { class: "pages", id: "pages" });
      if (!behavior.disableViewingPages) {
        result.data.forEach(function (page) {
          list.appendChild(el("li", { "data-page-id": String(page.id) }, [
            el("span", { text: page.name || page.slug }),
            el("button", { type: "button", class: "small", text: "Edit", on: { click: function () { edit(page); } } }),
          ]));
        });
      }
      app.appendChild(el("section", { "data-section": "pages" }, [
        el("h2", { text: "Your scheduling pages" }),
        list,
        el("button", { type: "button", id: "new-page", text: "New page", on: { click: createPage } }),
      ]));
    });
  }

  function createPage() {
    var defaults = (options.defaults || {}).event || {};
    var timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    var body = {
      name: defaults.title || "New scheduling page",
      access_tokens: [token],
      config: {
        timezone: timezone,
        event: {
          title: defaults.title || "Meeting",
          duration: defaults.duration || 30,
          location: defaults.location || "",
        },
        booking: {
          opening_hours: [{ days: ["M", "T", "W", "R", "F"], start: "09:00", end: "17:00" }],
          confirmation_method: "automatic",
        },
        appearance: {},
        reminders: [],
      },
    };
    status("Creating…");
    api("POST", "/manage/pages", body).then(function (result) {
      if (!result.ok) { status(errorText(result), true); return; }
      edit(result.data);
    });
  }

  // ------------------------------------------------------------------ the page form

  function edit(page) {
    draft = JSON.parse(JSON.stringify(page));
    draft.config = draft.config || {};
    render();
  }

  function render() {
    app.textContent = "";
    var behavior = options.behavior || {};
    var shown = Array.isArray(behavior.displayOnly) && behavior.displayOnly.length ? behavior.displayOnly : null;
    var locked = Array.isArray(behavior.disableEditing) ? behavior.disableEditing : [];
    app.appendChild(el("p", { id: "status", role: "status" }));
    var link = window.location.origin + "/book/" + encodeURIComponent(draft.slug || "");
    app.appendChild(el("p", {}, ["Booking link: ", el("a", { id: "booking-link", class: "link", href: link, target: "_blank", rel: "noopener noreferrer", text: link })]));
    var builders = [
      ["event-info", "Event", eventInfo],
      ["opening-hours", "Opening hours", openingHours],
      ["booking-flow", "Booking rules", bookingFlow],
      ["custom-fields", "Additional fields", customFields],
      ["page-styles", "Appearance", pageStyles],
      ["reminders", "Reminders", reminders],
      ["bookings", "Upcoming bookings", upcomingBookings],
    ];
    builders.forEach(function (b) {
      if (shown && shown.indexOf(b[0]) < 0) return;
      var section = el("section", { "data-section": b[0] }, [el("h2", { text: b[1] })]);
      b[2](section);
      if (locked.indexOf(b[0]) >= 0) {
        section.setAttribute("data-locked", "");
        Array.prototype.forEach.call(section.querySelectorAll("input, select, textarea, button"), function (n) { n.disabled = true; });
      }
      app.appendChild(section);
    });
    var actions = el("div", { class: "actions" }, [
      el("button", { type: "button", id: "save", text: "Save", on: { click: save } }),
    ]);
    if (options.auth.accessToken) {
      actions.appendChild(el("button", { type: "button", class: "quiet", text: "All pages", on: { click: listPages } }));
    }
    app.appendChild(actions);
  }

  // An input bound to `path` in the draft, wrapped with its label and an error slot.
  function field(label, path, kind, extra) {
    extra = extra || {};
    var value = get(draft, path);
    var input;
    if (kind === "select") {
      input = el("select", {}, extra.choices.map(function (c) { return el("option", { value: c, text: c }); }));
      input.value = value === undefined || value === null ? extra.choices[0] : String(value);
    } else if (kind === "textarea") {
      input = el("textarea", { value: value === undefined || value === null ? "" : String(value) });
    } else if (kind === "checkbox") {
      input = el("input", { type: "checkbox", checked: value === true || value === "true" });
    } else {
      input = el("input", { type: kind || "text", value: value === undefined || value === null ? "" : String(value) });
      if (kind === "number") input.step = "1";
    }
    input.name = pathName(path);
    input.id = "f-" + pathName(path).replace(/[^A-Za-z0-9_-]/g, "_");
    input.addEventListener(kind === "checkbox" || kind === "select" ? "change" : "input", function () {
      var v = kind === "checkbox" ? input.checked : input.value;
      if (kind === "number") v = input.value === "" ? null : Number(input.value);
      set(draft, path, v);
      if (extra.onchange) extra.onchange(v);
    });
    var wrap = el("div", { class: "field" + (kind === "checkbox" ? " inline" : ""), "data-field": pathName(path) }, [
      el("label", { for: input.id, text: label }),
      input,
      el("div", { class: "error", "data-error-for": pathName(path) }),
    ]);
    if (kind === "checkbox") wrap.insertBefore(input, wrap.firstChild);
    return wrap;
  }

  function eventInfo(section) {
    section.appendChild(el("div", { class: "grid" }, [
      field("Page name", ["name"]),
      field("Slug", ["slug"]),
      field("Event title", ["config", "event", "title"]),
      field("Duration (minutes)", ["config", "event", "duration"], "number"),
      field("Location", ["config", "event", "location"]),
    ]));
  }

  function listEditor(section, path, makeRow, blank, addLabel) {
    var holder = el("div", { "data-list": pathName(path) });
    section.appendChild(holder);
    section.appendChild(el("button", {
      type: "button", class: "small quiet", "data-add": pathName(path), text: addLabel,
      on: { click: function () { var items = get(draft, path) || []; items.push(blank()); set(draft, path, items); redraw(); } },
    }));
    function move(i, by) {
      var items = get(draft, path);
      var j = i + by;
      if (j < 0 || j >= items.length) return;
      var t = items[i]; items[i] = items[j]; items[j] = t;
      redraw();
    }
    function remove(i) { get(draft, path).splice(i, 1); redraw(); }
    function redraw() {
      holder.textContent = "";
      (get(draft, path) || []).forEach(function (item, i) {
        holder.appendChild(makeRow(path.concat([i]), i, { move: move, remove: remove, redraw: redraw }));
      });
    }
    redraw();
  }

  function rowButtons(i, ops, reorder) {
    var buttons = [];
    if (reorder) {
      buttons.push(el("button", { type: "button", class: "small quiet", title: "Move up", text: "↑", on: { click: function () { ops.move(i, -1); } } }));
      buttons.push(el("button", { type: "button", class: "small quiet", title: "Move down", text: "↓", on: { click: function () { ops.move(i, 1); } } }));
    }
    buttons.push(el("button", { type: "button", class: "small quiet", "data-remove": "", text: "Remove", on: { click: function () { ops.remove(i); } } }));
    return buttons;
  }

  function openingHours(section) {
    section.appendChild(field("Time zone (IANA)", ["config", "timezone"]));
    listEditor(section, ["config", "booking", "opening_hours"], function (path, i, ops) {
      var entry = get(draft, path);
      var days = el("div", { class: "days field", "data-field": pathName(path.concat(["days"])) }, DAYS.map(function (d) {
        var box = el("input", { type: "checkbox", name: pathName(path.concat(["days"])) + "." + d[0], checked: (entry.days || []).indexOf(d[0]) >= 0 });
        box.addEventListener("change", function () {
          var chosen = DAYS.map(function (x) { return x[0]; }).filter(function (letter) {
            return letter === d[0] ? box.checked : (entry.days || []).indexOf(letter) >= 0;
          });
          entry.days = chosen;
        });
        return el("label", {}, [box, d[1]]);
      }));
      return el("div", { class: "row", "data-row": pathName(path) }, [
        days,
        field("From (HH:MM)", path.concat(["start"])),
        field("To (HH:MM)", path.concat(["end"])),
        el("div", { class: "error", "data-error-for": pathName(path.concat(["days"])) }),
      ].concat(rowButtons(i, ops, false)));
    }, function () { return { days: ["M", "T", "W", "R", "F"], start: "09:00", end: "17:00" }; }, "Add opening hours");
  }

  function bookingFlow(section) {
    var b = ["config", "booking"];
    section.appendChild(el("div", { class: "grid" }, [
      field("Minimum notice (minutes)", b.concat(["min_booking_notice"]), "number"),
      field("Buffer between meetings (minutes)", b.concat(["min_buffer"]), "number"),
      field("Bookable days ahead", b.concat(["available_days_in_future"]), "number"),
      field("Cancellation notice (minutes)", b.concat(["min_cancellation_notice"]), "number"),
      field("Confirmation", b.concat(["confirmation_method"]), "select", { choices: ["automatic", "manual"] }),
      field("Scheduling method", b.concat(["scheduling_method"]), "select", { choices: SCHEDULING_METHODS }),
    ]));
    section.appendChild(field("Cancellation policy", b.concat(["cancellation_policy"]), "textarea"));
  }

  function customFields(section) {
    var path = ["config", "booking", "additional_fields"];
    listEditor(section, path, function (p, i, ops) {
      var item = get(draft, p);
      item.order = i;
      var optionsKey = OPTION_KEYS[item.type];
      var optionsBox = null;
      if (optionsKey) {
        var listed = (item[optionsKey] || []).join(", ");
        optionsBox = el("div", { class: "field", "data-field": pathName(p.concat([optionsKey])) }, [
          el("label", { text: "Options (comma separated)" }),
          el("input", { type: "text", name: pathName(p.concat([optionsKey])), value: listed, on: { input: function (e) {
            item[optionsKey] = e.target.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
          } } }),
          el("div", { class: "error", "data-error-for": pathName(p.concat([optionsKey])) }),
        ]);
      }
      return el("div", { class: "row", "data-row": pathName(p) }, [
        field("Label", p.concat(["label"])),
        field("Name", p.concat(["name"])),
        field("Type", p.concat(["type"]), "select", { choices: FIELD_TYPES, onchange: function () { ops.redraw(); } }),
        field("Required", p.concat(["required"]), "checkbox"),
        field("Pattern", p.concat(["pattern"])),
        optionsBox,
      ].concat(rowButtons(i, ops, true)));
    }, function () {
      var n = (get(draft, path) || []).length + 1;
      return { name: "field_" + n, label: "Question " + n, type: "text", required: false, order: n - 1 };
    }, "Add field");
  }

  function pageStyles(section) {
    var a = ["config", "appearance"];
    var logo = get(draft, a.concat(["logo"]));
    var preview = el("img", { class: "logo" + (logo ? "" : " hidden"), alt: "Logo", src: logo || null, id: "logo-preview" });
    var upload = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", id: "logo-file" });
    upload.addEventListener("change", function () {
      var file = upload.files && upload.files[0];
      if (file) uploadLogo(file, preview);
    });
    section.appendChild(el("div", { class: "grid" }, [
      field("Colour", a.concat(["color"]), "color"),
      field("Company name", a.concat(["company_name"])),
      field("Button text", a.concat(["submit_text"])),
    ]));
    section.appendChild(field("Thank-you text", a.concat(["thank_you_text"]), "textarea"));
    section.appendChild(el("div", { class: "field", "data-field": pathName(a.concat(["logo"])) }, [
      el("label", { for: "logo-file", text: "Logo" }), preview, upload,
      el("div", { class: "error", "data-error-for": pathName(a.concat(["logo"])) }),
    ]));
  }

  function uploadLogo(file, preview) {
    status("Uploading the logo…");
    api("PUT", "/manage/pages/" + draft.id + "/upload-image", { contentType: file.type, objectName: file.name }).then(function (result) {
      if (!result.ok) { showErrors(result); return null; }
      var target = result.data;
      return fetch(target.signedUrl, {
        method: "PUT", body: file, headers: { "Content-Type": file.type }, credentials: "omit", referrerPolicy: "no-referrer",
      }).then(function (response) {
        if (!response.ok) { status("The logo could not be uploaded (" + response.status + ").", true); return; }
        set(draft, ["config", "appearance", "logo"], target.publicUrl);
        preview.src = target.publicUrl;
        preview.className = "logo";
        status("Logo uploaded; save to keep it.");
      });
    });
  }

  function reminders(section) {
    listEditor(section, ["config", "reminders"], function (p, i, ops) {
      return el("div", { class: "row", "data-row": pathName(p) }, [
        field("By", p.concat(["delivery_method"]), "select", { choices: ["email", "webhook"] }),
        field("To", p.concat(["delivery_recipient"]), "select", { choices: ["customer", "owner", "both"] }),
        field("Minutes before", p.concat(["time_before_event"]), "number"),
        field("Email subject", p.concat(["email_subject"])),
        field("Webhook URL", p.concat(["webhook_url"]), "url"),
      ].concat(rowButtons(i, ops, false)));
    }, function () { return { delivery_method: "email", delivery_recipient: "customer", time_before_event: 60 }; }, "Add reminder");
  }

  // ------------------------------------------------------------------ upcoming bookings

  function upcomingBookings(section) {
    var list = el("ul", { class: "pages", id: "bookings" }, [el("li", { text: "Loading…" })]);
    var problem = el("div", { class: "error", id: "bookings-error" });
    section.appendChild(list);
    section.appendChild(problem);
    var base = "/manage/pages/" + draft.id + "/bookings";
    var zone = (draft.config && draft.config.timezone) || undefined;
    function when(b) {
      var format = { dateStyle: "medium", timeStyle: "short" };
      try { return new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: zone }, format)).format(new Date(b.start_time * 1000)); }
      catch (e) { return new Date(b.start_time * 1000).toISOString(); }
    }
    function act(path, body) {
      problem.textContent = "";
      api("POST", path, body).then(function (result) {
        if (!result.ok) { problem.textContent = errorText(result); return; }
        load();
      });
    }
    function load() {
      api("GET", base).then(function (result) {
        list.textContent = "";
        if (!result.ok) { problem.textContent = errorText(result); return; }
        if (!result.data.length) list.appendChild(el("li", { text: "No upcoming bookings." }));
        result.data.forEach(function (b) {
          var buttons = [];
          if (!b.is_confirmed) {
            buttons.push(el("button", { type: "button", class: "small", "data-confirm": b.id, text: "Confirm",
              on: { click: function () { act(base + "/" + b.id + "/confirm", {}); } } }));
          }
          buttons.push(el("button", { type: "button", class: "small quiet", "data-cancel": b.id, text: "Cancel",
            on: { click: function () { act(base + "/" + b.id + "/cancel", {}); } } }));
          if (section.hasAttribute("data-locked")) buttons.forEach(function (n) { n.disabled = true; });
          list.appendChild(el("li", { "data-booking-id": b.id }, [
            el("span", { text: when(b) + " · " + (b.recipient_name || "") + " <" + (b.recipient_email || "") + ">" + (b.is_confirmed ? "" : " · pending") }),
            el("span", {}, buttons),
          ]));
        });
      });
    }
    load();
  }

  // ------------------------------------------------------------------ saving

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-error-for]"), function (n) { n.textContent = ""; });
    Array.prototype.forEach.call(document.querySelectorAll(".invalid"), function (n) { n.classList.remove("invalid"); });
  }

  // The API's message starts with the field's path; the error goes to the closest bound input.
  function showErrors(result) {
    var message = errorText(result);
    var match = /^([A-Za-z0-9_.\[\]]+):\s*(.*)$/.exec(message);
    if (match) {
      var name = match[1];
      while (name) {
        var slot = document.querySelector('[data-error-for="' + name + '"]');
        if (slot) {
          slot.textContent = match[2] || message;
          var wrap = slot.closest("[data-field]") || slot.parentNode;
          wrap.classList.add("invalid");
          status("Please correct the marked field.", true);
          return;
        }
        var cut = Math.max(name.lastIndexOf("."), name.lastIndexOf("["));
        name = cut > 0 ? name.slice(0, cut) : "";
      }
    }
    status(message, true);
  }

  function save() {
    clearErrors();
    (get(draft, ["config", "booking", "additional_fields"]) || []).forEach(function (f, i) { f.order = i; });
    status("Saving…");
    api("PUT", "/manage/pages/" + draft.id, draft).then(function (result) {
      if (!result.ok) { showErrors(result); return; }
      edit(result.data);
      status("Saved.");
    });
  }
})();
