/* Inside an embed's frame: tell the host page our height, and record the
   view and each click (first-party, no cookie) through the beacon. */
(function () {
  "use strict";
  var root = document.getElementById("storyline-embed");
  if (!root) return;
  var beacon = root.getAttribute("data-beacon");
  var page = root.getAttribute("data-page");
  var layout = root.getAttribute("data-layout");
  function send(kind, ids) {
    if (!page || !beacon || !ids.length) return;
    var body = JSON.stringify({ kind: kind, stories: ids, page: page, layout: layout });
    fetch(beacon, { method: "POST", body: body, credentials: "omit", keepalive: true,
                    headers: { "Content-Type": "application/json" } }).catch(function () {});
  }
  var ids = Array.prototype.map.call(root.querySelectorAll("[data-story]"), function (el) {
    return Number(el.getAttribute("data-story"));
  });
  send("view", ids);
  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-story-link]");
    if (link) send("click", [Number(link.getAttribute("data-story-link"))]);
  });
  function height() {
    if (window.parent !== window) {
      window.parent.postMessage({ type: "storyline:height", height: document.documentElement.scrollHeight }, "*");
    }
  }
  window.addEventListener("load", height);
  height();
})();
