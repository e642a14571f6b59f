/* Photos and videos still being processed: check every few seconds and show the entry
   again once they are ready (or say if they could not be processed). */
(function () {
  "use strict";
  var waiting = document.querySelectorAll("[data-processing]");
  if (!waiting.length) return;
  var tries = 0;
  function check() {
    tries += 1;
    var ids = Array.prototype.map.call(waiting, function (el) { return el.dataset.processing; });
    Promise.all(ids.map(function (id) {
      return fetch("/media/" + id + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { status: "processing" }; })
        .catch(function () { return { status: "processing" }; });
    })).then(function (states) {
      var done = states.every(function (s) { return s.status !== "processing"; });
      if (done) {
        window.location.reload();
      } else if (tries < 60) {
        window.setTimeout(check, tries < 10 ? 3000 : 10000);
      }
    });
  }
  window.setTimeout(check, 3000);
})();
