/* Shown after an observation was saved: forget the draft kept on this device for it. */
(function () {
  "use strict";
  var marker = document.querySelector("[data-sent-ref]");
  if (!marker) return;
  var ref = marker.dataset.sentRef;
  try {
    for (var i = localStorage.length - 1; i >= 0; i -= 1) {
      var key = localStorage.key(i);
      if (key && key.indexOf("acorn-draft:") === 0) {
        var draft = JSON.parse(localStorage.getItem(key) || "null");
        if (draft && draft.ref === ref) localStorage.removeItem(key);
      }
    }
  } catch (e) { /* storage unavailable: nothing to forget */ }
})();
