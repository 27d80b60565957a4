// Progressive enhancement of the form: same POST, no page reload, a progress indicator.
// The server renders the result; we only swap the #result section in.
(function () {
  "use strict";
  var form = document.getElementById("digest-form");
  if (!form || !window.fetch) return;
  var progress = document.getElementById("progress");
  var button = document.getElementById("submit");

  function wireCopyButtons(root) {
    root.querySelectorAll("button.copy").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var src = document.getElementById(btn.dataset.copy);
        if (!src) return;
        navigator.clipboard.writeText(src.value).then(function () {
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = "Copy"; }, 1500);
        });
      });
    });
  }
  wireCopyButtons(document);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var started = Date.now();
    progress.hidden = false;
    progress.textContent = "Translating…";
    button.disabled = true;
    var timer = setInterval(function () {
      progress.textContent = "Translating… " + Math.round((Date.now() - started) / 1000) + " s";
    }, 500);
    fetch(form.action, { method: "POST", body: new FormData(form) })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("result");
        var current = document.getElementById("result");
        if (fresh && current) {
          current.replaceWith(fresh);
          wireCopyButtons(fresh);
          var heading = fresh.querySelector("h2, .error");
          if (heading) { heading.tabIndex = -1; heading.focus(); }
        }
        progress.hidden = true;
      })
      .catch(function () {
        progress.textContent = "The server could not be reached. Try again.";
      })
      .finally(function () {
        clearInterval(timer);
        button.disabled = false;
      });
  });
})();
