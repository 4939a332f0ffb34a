// The transcript page: select a passage and the quote form gets the words,
// the passage and its speaker (data-segment / data-contact on each passage).
(function () {
  // Select a passage → the quote form gets the words, the passage and its speaker.
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("quote-form");
  if (!transcript || !form) return;
  transcript.addEventListener("mouseup", fill);
  transcript.addEventListener("keyup", fill);
  // Phones select with a long press: no mouseup, only selectionchange.
  document.addEventListener("selectionchange", fill);
  function fill() {
    var selection = window.getSelection();
    var text = selection ? selection.toString().trim() : "";
    if (!text) return;
    var node = selection.anchorNode;
    var item = node && (node.nodeType === 1 ? node : node.parentElement).closest("li[data-segment]");
    if (!item) return;
    form.querySelector("[name=quote-text]").value = text;
    form.querySelector("[name=quote-segment]").value = item.dataset.segment;
    var speaker = form.querySelector("[name=quote-speaker]");
    if (speaker && item.dataset.contact) speaker.value = item.dataset.contact;
  }
})();
