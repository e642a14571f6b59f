// The assessment grid: each choice saves at once, without reloading the page. Without
// this script the grid still works: "Save" sends every cell that changed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-assess]");
  if (!form) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = form.querySelector("[data-status]");
  var saveAll = form.querySelector("[data-save-all]");
  if (saveAll) saveAll.hidden = true;

  function say(text) { if (status) status.textContent = text; }

  function fallBack(message) {
    say(message);
    if (saveAll) saveAll.hidden = false;
  }

  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[data-cell]")) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    ["term", "by", "show"].forEach(function (name) {
      var field = form.querySelector("input[name=" + name + "]");
      if (field) body.append(name, field.value);
    });
    body.append(select.name, select.value);
    var cell = select.closest("td");
    cell.classList.remove("cell-saved", "cell-failed");
    cell.classList.add("cell-saving");
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Acorn-Cell": "1" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        cell.classList.remove("cell-saving");
        if (response.ok && answer.saved) {
          cell.classList.add("cell-saved");
          say("Saved.");
        } else {
          cell.classList.add("cell-failed");
          fallBack(answer.detail || "That didn't save. Press Save to try again.");
        }
      });
    }).catch(function () {
      cell.classList.remove("cell-saving");
      cell.classList.add("cell-failed");
      fallBack("No connection. Your choices are still here: press Save when you're back online.");
    });
  });
})();
