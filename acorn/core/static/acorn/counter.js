/* A character counter for text boxes with a limit (data-counter names the element that
   shows it). Quiet until the writer is near the limit, then says plainly what is left,
   and at the limit says so, so the box never just stops taking letters. */
(function () {
  "use strict";
  function number(n) { return n.toLocaleString("en-GB"); }
  document.querySelectorAll("textarea[data-counter][maxlength]").forEach(function (box) {
    var out = document.getElementById(box.dataset.counter);
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    if (!out || !limit) return;
    var shown = "";
    function update() {
      var used = box.value.length;
      var text = "";
      if (used >= limit) {
        text = "You've reached the limit of " + number(limit) + " characters. " +
          "To say more, start a second entry.";
      } else if (used >= limit * 0.9) {
        text = number(limit - used) + " characters left.";
      }
      if (text !== shown) {
        shown = text;
        out.textContent = text;
        out.classList.toggle("error", used >= limit);
      }
    }
    box.addEventListener("input", update);
    update();
  });
})();
