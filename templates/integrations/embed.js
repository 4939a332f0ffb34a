/* Storyline embeds: replaces each <div class="storyline-embed" data-key="…">
   with a frame of the matching published stories (its <noscript> iframe is
   the fallback without JavaScript). No cookie, no tracking of the visitor. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : "";
  var names = ["product", "industry", "limit", "layout"];
  function mount(el) {
    if (el.getAttribute("data-storyline-mounted")) return;
    el.setAttribute("data-storyline-mounted", "1");
    var params = new URLSearchParams();
    names.forEach(function (name) {
      var value = el.getAttribute("data-" + name);
      if (value) params.set(name, value);
    });
    params.set("lang", el.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "");
    params.set("page", location.origin + location.pathname);
    var frame = document.createElement("iframe");
    frame.src = base + "/embed/" + encodeURIComponent(el.getAttribute("data-key") || "") + "/frame/?" + params.toString();
    frame.title = el.getAttribute("data-title") || "Customer stories";
    frame.setAttribute("loading", "lazy");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "360px";
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(frame);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== base || !event.data || event.data.type !== "storyline:height") return;
    var frames = document.querySelectorAll(".storyline-embed iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) frames[i].style.height = Math.min(event.data.height, 4000) + "px";
    }
  });
  var all = document.querySelectorAll(".storyline-embed");
  for (var i = 0; i < all.length; i++) mount(all[i]);
})();
