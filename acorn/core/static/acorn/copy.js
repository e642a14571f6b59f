/* "Copy" buttons: copy the text of the element named by data-copy (one line per item).
   The button stays hidden where the browser can't copy. */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var items = source.querySelectorAll("li");
      var text = items.length
        ? Array.prototype.map.call(items, function (li) { return li.textContent.trim(); }).join("\n")
        : source.textContent.trim();
      navigator.clipboard.writeText(text).then(
        function () { if (status) status.textContent = "Copied. Paste them somewhere safe."; },
        function () { if (status) status.textContent = "Couldn't copy. Please download them or write them down."; }
      );
    });
  });
})();
