// First-party impact beacon (analytics/beacon.py). No cookie, no storage,
// nothing sent when the browser asks not to be tracked (DNT / GPC).
// On a story page: one "view" when the page is shown, one "engagement" with
// the visible seconds when it is left (and whether the reader went on to
// another page of ours). On the gallery: the filters used.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.JSON) return;
  if (navigator.doNotTrack === "1" || window.doNotTrack === "1" ||
      navigator.globalPrivacyControl === true) return;
  var endpoint = script.getAttribute("data-endpoint");
  var story = script.getAttribute("data-story");
  var params = new URLSearchParams(window.location.search);
  var utm = {};
  ["source", "medium", "campaign"].forEach(function (name) {
    var value = params.get("utm_" + name);
    if (value) utm[name] = value.slice(0, 100);
  });

  function send(payload) {
    var body = JSON.stringify(payload);
    // text/plain: a "simple" request, no preflight.
    if (navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }));
    } else if (window.fetch) {
      fetch(endpoint, { method: "POST", body: body, keepalive: true,
                        headers: { "Content-Type": "text/plain" }, credentials: "omit" });
    }
  }

  var referrer = document.referrer ? document.referrer.slice(0, 1000) : "";
  if (!story) {
    var facets = ["q", "industry", "company_size", "use_case", "region", "product", "sort"]
      .filter(function (name) { return params.get(name); });
    if (facets.length) send({ k: "gallery_search", f: facets, r: referrer, u: utm });
    return;
  }
  send({ k: "view", s: story, r: referrer, u: utm });

  // Downloads keep the campaign the reader came with (no cookie needed).
  if (utm.source) {
    document.querySelectorAll("a[data-keep-utm]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      Object.keys(utm).forEach(function (name) { url.searchParams.set("utm_" + name, utm[name]); });
      link.href = url.toString();
    });
  }

  var visibleMs = 0;
  var since = document.visibilityState === "visible" ? Date.now() : null;
  var continued = false;
  var sent = false;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && link.origin === window.location.origin) continued = true;
  });
  function leave() {
    if (since !== null) { visibleMs += Date.now() - since; since = null; }
    if (sent) return;
    sent = true;
    send({ k: "engagement", s: story, t: Math.min(86400, Math.round(visibleMs / 1000)), c: continued });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
    else if (!sent) since = Date.now();
  });
  window.addEventListener("pagehide", leave);
})();
