// Fields marked data-select-on-focus select their whole value when focused
// (a link to copy). A static file: the Content-Security-Policy allows no
// inline event handlers.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-select-on-focus]"), function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
