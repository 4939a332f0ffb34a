/* The story editor, live: word counts as the writer types, then (debounced)
   the same checker the server runs, and the sanitised Markdown preview.
   Without JavaScript the page works the same through "Check without saving". */
(function () {
  "use strict";
  var form = document.getElementById("story-editor");
  if (!form || !window.fetch) { return; }
  var checkUrl = form.getAttribute("data-check-url");
  var status = form.querySelector("[data-checker-status]");
  var areas = form.querySelectorAll("textarea[data-section]");
  // The page's language: strings rendered by the server with gettext.
  var S = {};
  try { S = JSON.parse(document.getElementById("story-editor-strings").textContent); } catch (e) { S = {}; }
  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] !== undefined ? String(values[key]) : "";
    });
  }
  var T = {
    words: function (n) { return fmt(n === 1 ? S.word_one : S.word_other, { n: n }); },
    target: function (n, a, b) { return fmt(S.target, { n: n, min: a, max: b }); },
    total: function (n, a, b) { return fmt(S.total, { n: n, min: a, max: b }); },
    checking: S.checking || "…",
    summary: function (e, w) { return fmt(S.summary, { e: e, w: w }); },
    failed: S.failed || "",
    error: S.error || "Error", warning: S.warning || "Warning", fix: S.fix || "?",
    place: function (p, s, e) { return fmt(S.place, { p: p, s: s, e: e }); }
  };
  // The guide's targets, from the server's settings.
  function num(name, fallback) {
    var value = parseInt(form.getAttribute(name), 10);
    return isNaN(value) ? fallback : value;
  }
  var limits = {
    summary: [num("data-summary-min", 100), num("data-summary-max", 150)],
    story: [num("data-story-min", 1000), num("data-story-max", 1500)]
  };
  var totalEl = form.querySelector("[data-total-count]");

  function words(text) {
    var t = text.trim();
    return t ? t.split(/\s+/).length : 0;
  }

  function span(cls, text) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function updateCounts() {
    var total = 0;
    areas.forEach(function (area) {
      var name = area.getAttribute("data-section");
      var n = words(area.value);
      total += n;
      var out = form.querySelector("[data-count-for=" + name + "]");
      if (!out) { return; }
      out.textContent = "";
      if (name === "summary") {
        var ok = n >= limits.summary[0] && n <= limits.summary[1];
        out.appendChild(span(ok ? "count-ok" : "count-out", T.target(n, limits.summary[0], limits.summary[1])));
      } else {
        out.textContent = T.words(n);
      }
    });
    if (totalEl) {
      var okTotal = total >= limits.story[0] && total <= limits.story[1];
      totalEl.className = "count " + (okTotal ? "count-ok" : "count-out");
      totalEl.textContent = T.total(total, limits.story[0], limits.story[1]);
    }
  }

  function renderFindings(findings) {
    var lists = form.querySelectorAll("[data-findings-for]");
    lists.forEach(function (list) { list.textContent = ""; });
    findings.forEach(function (f) {
      var list = form.querySelector('[data-findings-for="' + f.section + '"]');
      if (!list) { return; }
      var li = document.createElement("li");
      li.className = "finding finding-" + f.severity;
      li.setAttribute("data-code", f.code);
      li.appendChild(span("finding-severity", f.severity === "error" ? T.error : T.warning));
      var title = document.createElement("strong");
      title.className = "finding-title";
      title.textContent = f.title;
      li.appendChild(title);
      if (f.paragraph) { li.appendChild(span("finding-place", T.place(f.paragraph, f.start, f.end))); }
      li.appendChild(span("finding-message", f.message));
      if (f.excerpt) {
        var q = document.createElement("q");
        q.className = "finding-excerpt";
        q.textContent = f.excerpt.length > 160 ? f.excerpt.slice(0, 159) + "…" : f.excerpt;
        li.appendChild(q);
      }
      if (f.fix_url) {
        var fix = document.createElement("a");
        fix.className = "finding-fix";
        fix.href = f.fix_url;
        fix.textContent = f.fix_label;
        li.appendChild(fix);
      }
      var a = document.createElement("a");
      a.className = "finding-advice";
      a.href = f.advice_url;
      a.textContent = T.fix;
      a.appendChild(span("sr-only", " — " + f.title));
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  var timer = null;
  var inflight = null;
  function check() {
    if (inflight) { inflight.abort(); }
    inflight = window.AbortController ? new AbortController() : null;
    var data = new FormData();
    areas.forEach(function (area) { data.append(area.name, area.value); });
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (status) { status.textContent = T.checking; }
    fetch(checkUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" },
      signal: inflight ? inflight.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (result) {
      renderFindings(result.findings);
      Object.keys(result.previews).forEach(function (name) {
        var preview = form.querySelector('[data-preview-for="' + name + '"]');
        // Server-rendered Markdown, sanitised with an allow-list (core/markdown.py).
        if (preview) { preview.innerHTML = result.previews[name]; }
      });
      if (status) { status.textContent = T.summary(result.totals.errors, result.totals.warnings); }
      form.setAttribute("data-checked", "1");
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      if (status) { status.textContent = T.failed; }
    });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("textarea[data-section]")) { return; }
    updateCounts();
    form.removeAttribute("data-checked");
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
})();
