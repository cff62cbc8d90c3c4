// Tell the user the analysis is running (the first one loads the language model).
(function () {
  "use strict";
  const form = document.getElementById("analyze-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    const wait = document.getElementById("analyze-wait");
    if (wait) wait.hidden = false;
    const button = document.getElementById("analyze-submit");
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });
})();
