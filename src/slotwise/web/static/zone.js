// Time zone picker: submit on change, and on a first visit (no ?tz=) show the times in the
// browser's own zone. The page works without this script.
(function () {
  var select = document.getElementById("tz");
  if (!select) return;
  select.addEventListener("change", function () { select.form.submit(); });
  if (!select.dataset.auto) return;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || zone === select.value) return;
  var params = new URLSearchParams(window.location.search);
  params.set("tz", zone);
  window.location.replace(window.location.pathname + "?" + params.toString());
})();
