/* After "Confirm it's you": send the change that asked for it, as it was posted. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-reauth-resume]");
  if (form) HTMLFormElement.prototype.submit.call(form);
})();
