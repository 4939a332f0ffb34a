// Sales portal copy buttons: copy the text of the field next to the button,
// say so, and record the use (a beacon to the story's "use" endpoint).
// Without JavaScript the buttons stay hidden and the text is selectable.
(function () {
  "use strict";
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var copiedText = document.documentElement.lang === "id" ? "Tersalin" : "Copied";
  function record(button) {
    var url = button.getAttribute("data-use-url");
    if (!url || !token) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("detail", button.getAttribute("data-use"));
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
    if (window.fetch) fetch(url, { method: "POST", body: data, credentials: "same-origin" });
  }
  function done(button, input) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) status.textContent = button.getAttribute("data-copied") || copiedText;
    record(button);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(
          function () { done(button, input); },
          function () { input.select(); document.execCommand("copy"); done(button, input); }
        );
      } else {
        input.select();
        document.execCommand("copy");
        done(button, input);
      }
    });
  });
})();
