/*
 * Slotwise Schedule Editor loader, served at /schedule-editor/v1.0/schedule-editor.js.
 *
 * nylas.scheduler.show({auth: {pageEditToken} | {accessToken}, style, defaults, behavior})
 * opens the editor over the app's page: an overlay holding an iframe of the editor page on the
 * Slotwise origin this script was loaded from. The token never goes into a URL (which a server
 * would log and a Referer could leak): the editor asks for its options by postMessage once it
 * has loaded, and they are posted to the editor's origin only.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var ORIGIN = new URL(script && script.src ? script.src : window.location.href).origin;
  var EDITOR_URL = ORIGIN + "/schedule-editor/v1.0/editor";
  var current = null;

  function close() {
    if (!current) return;
    window.removeEventListener("message", current.onMessage);
    document.removeEventListener("keydown", current.onKey);
    if (current.overlay.parentNode) current.overlay.parentNode.removeChild(current.overlay);
    current = null;
  }

  function show(options) {
    options = options || {};
    var auth = options.auth || {};
    if (!auth.pageEditToken && !auth.accessToken) {
      throw new Error("nylas.scheduler.show: auth.pageEditToken or auth.accessToken is required");
    }
    close();
    var style = options.style || {};
    var overlay = document.createElement("div");
    overlay.setAttribute("data-slotwise-schedule-editor", "");
    var s = overlay.style;
    s.position = "fixed";
    s.inset = "0";
    s.zIndex = "2147483000";
    s.background = "rgba(15, 18, 30, 0.55)";
    s.display = "flex";
    s.alignItems = "center";
    s.justifyContent = "center";
    var frame = document.createElement("iframe");
    frame.src = EDITOR_URL;
    frame.title = style.modalTitle || "Schedule Editor";
    frame.referrerPolicy = "no-referrer";
    var f = frame.style;
    f.width = "min(980px, 96vw)";
    f.height = "min(900px, 94vh)";
    f.border = "0";
    f.borderRadius = "10px";
    f.background = style.backgroundColor || "white";
    f.boxShadow = "0 12px 48px rgba(0, 0, 0, 0.35)";
    overlay.appendChild(frame);

    var init = {
      type: "slotwise-editor:init",
      auth: { pageEditToken: auth.pageEditToken || null, accessToken: auth.accessToken || null },
      style: style,
      defaults: options.defaults || {},
      behavior: options.behavior || {},
      pageDomain: options.pageDomain || null,
    };
    var state = {
      overlay: overlay,
      onMessage: function (event) {
        if (event.source !== frame.contentWindow || event.origin !== ORIGIN) return;
        var data = event.data || {};
        if (data.type === "slotwise-editor:ready") {
          frame.contentWindow.postMessage(init, ORIGIN);
        } else if (data.type === "slotwise-editor:close") {
          close();
        }
      },
      onKey: function (event) {
        if (event.key === "Escape") close();
      },
    };
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) close();
    });
    window.addEventListener("message", state.onMessage);
    document.addEventListener("keydown", state.onKey);
    current = state;
    document.body.appendChild(overlay);
  }

  window.nylas = window.nylas || {};
  window.nylas.scheduler = window.nylas.scheduler || {};
  window.nylas.scheduler.show = show;
  window.nylas.scheduler.close = close;
})();
