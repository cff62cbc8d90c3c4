// The events filter applies as soon as a choice changes (the Apply button stays for
// typed fields and for browsers without JS).
(function () {
  "use strict";
  const form = document.getElementById("event-filters");
  if (!form) return;
  form.querySelectorAll("select, input[type=checkbox]").forEach(function (field) {
    field.addEventListener("change", function () { form.requestSubmit(); });
  });
  form.addEventListener("submit", function () {
    // Leave empty fields out of the URL.
    form.querySelectorAll("input, select").forEach(function (field) {
      if (!field.value) field.disabled = true;
    });
  });
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("input, select").forEach(function (field) { field.disabled = false; });
  });
})();
