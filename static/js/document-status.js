// "Preparing your PDF…": poll the JSON status and show progress; open the
// document when it is ready. Without JavaScript the page's meta refresh does
// the same, more slowly.
(function () {
  "use strict";
  var box = document.querySelector("[data-document-status]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var url = box.getAttribute("data-document-status");
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (bar) bar.value = data.progress;
        if (text) text.textContent = data.progress + "%";
        if (data.ready || data.failed || data.status === "absent") {
          window.location.reload();
          return;
        }
        if (tries < 200) window.setTimeout(poll, 1000);
      })
      .catch(function () { if (tries < 200) window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
