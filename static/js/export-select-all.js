// The spreadsheet export page (django-import-export): the "select all" box
// toggles every field. Replaces the package's inline onchange handler, which
// our Content-Security-Policy does not run; the toggling itself is the
// package's onSelectToggleChange (export_selectable_fields.js).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input.select-toggle"), function (box) {
    box.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") { window.onSelectToggleChange(event); }
    });
  });
})();
