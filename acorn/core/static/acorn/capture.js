/* The capture page: upload photos and videos as soon as they are chosen (with progress),
   keep the whole draft on this device so a closed tab or a lost connection loses nothing,
   and send the observation once, even if the button is tapped twice. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-capture]");
  if (!form) return;

  var draftKey = "acorn-draft:" + form.dataset.capture;
  var fileInput = form.querySelector(".file-input");
  var list = form.querySelector(".upload-list");
  var mediaField = form.querySelector("input[name=media_ids]");
  var refField = form.querySelector("input[name=client_ref]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusBox = document.querySelector(".capture-status");
  var uploading = 0;
  var sending = false;

  function newRef() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  if (!refField.value) refField.value = newRef();

  function say(message) {
    if (!statusBox) return;
    statusBox.textContent = message;
    statusBox.hidden = !message;
  }

  function mediaIds() {
    return Array.prototype.map.call(list.querySelectorAll("li[data-id]"), function (li) {
      return li.dataset.id;
    });
  }

  function checkedValues(name) {
    return Array.prototype.map.call(
      form.querySelectorAll("input[name=" + name + "]:checked"),
      function (box) { return box.value; }
    );
  }

  function field(name) { return form.elements.namedItem(name); }

  function saveDraft() {
    mediaField.value = mediaIds().join(",");
    var draft = {
      ref: refField.value,
      media: mediaIds(),
      children: checkedValues("children"),
      areas: checkedValues("areas"),
      text: field("text") ? field("text").value : "",
      next_steps: field("next_steps") ? field("next_steps").value : "",
      observed_on: field("observed_on") ? field("observed_on").value : "",
      saved: Date.now()
    };
    try { localStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* full or private mode */ }
  }

  function clearDraft() {
    try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
  }

  function removeButton(li) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small upload-remove";
    button.textContent = "Remove";
    li.appendChild(button);
  }

  function addMediaItem(id, kind) {
    var li = document.createElement("li");
    li.className = "upload-item";
    li.dataset.id = id;
    var img = document.createElement("img");
    img.alt = "";
    img.src = "/media/" + id + "/thumb";
    img.onerror = function () { img.replaceWith(icon(kind)); };
    li.appendChild(img);
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = (kind === "video" ? "Video" : "Photo") + " added";
    li.appendChild(name);
    removeButton(li);
    list.appendChild(li);
  }

  function icon(kind) {
    var span = document.createElement("span");
    span.className = "upload-icon";
    span.setAttribute("aria-hidden", "true");
    span.textContent = kind === "video" ? "Video" : "Photo";
    return span;
  }

  function restoreDraft() {
    var draft;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    var untouched = (!field("text") || !field("text").value) && !mediaIds().length &&
      !document.querySelector(".error-summary");
    if (!untouched) return;
    refField.value = draft.ref || refField.value;
    (draft.children || []).forEach(function (id) {
      var box = form.querySelector("input[name=children][value='" + id + "']");
      if (box) box.checked = true;
    });
    (draft.areas || []).forEach(function (code) {
      var box = form.querySelector("input[name=areas][value='" + code + "']");
      if (box) box.checked = true;
    });
    if (field("text")) field("text").value = draft.text || "";
    if (field("next_steps")) field("next_steps").value = draft.next_steps || "";
    if (field("observed_on") && draft.observed_on) field("observed_on").value = draft.observed_on;
    (draft.media || []).forEach(function (id) { addMediaItem(id, "photo"); });
    mediaField.value = mediaIds().join(",");
    if (draft.text || (draft.media || []).length || (draft.children || []).length) {
      say("We've brought back the observation you hadn't sent yet.");
    }
  }

  function upload(file, li, bar, label) {
    uploading += 1;
    var data = new FormData();
    data.append("file", file);
    if (fileInput.dataset.child) data.append("child", fileInput.dataset.child);
    var request = new XMLHttpRequest();
    request.open("POST", fileInput.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", csrf);
    request.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        var percent = Math.round((event.loaded / event.total) * 100);
        bar.value = percent;
        label.textContent = "Uploading " + file.name + " (" + percent + "%)";
      }
    };
    request.onload = function () {
      uploading -= 1;
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
      if (request.status === 201) {
        li.dataset.id = body.id;
        bar.remove();
        label.textContent = (body.kind === "video" ? "Video" : "Photo") + " added";
        saveDraft();
      } else {
        li.classList.add("upload-failed");
        bar.remove();
        label.textContent = body.detail || "This file couldn't be added.";
      }
    };
    request.onerror = function () {
      uploading -= 1;
      li.classList.add("upload-failed");
      bar.remove();
      label.textContent = "The connection dropped while sending " + file.name + ".";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button small";
      retry.textContent = "Try again";
      retry.onclick = function () {
        li.remove();
        addFiles([file]);
      };
      li.appendChild(retry);
    };
    request.send(data);
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, function (file) {
      var li = document.createElement("li");
      li.className = "upload-item";
      if (file.type.indexOf("image/") === 0 && file.type !== "image/heic") {
        var preview = document.createElement("img");
        preview.alt = "";
        preview.src = URL.createObjectURL(file);
        li.appendChild(preview);
      } else {
        li.appendChild(icon(file.type.indexOf("video/") === 0 ? "video" : "photo"));
      }
      var label = document.createElement("span");
      label.className = "upload-name";
      label.textContent = "Uploading " + file.name;
      li.appendChild(label);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      li.appendChild(bar);
      removeButton(li);
      list.appendChild(li);
      upload(file, li, bar, label);
    });
  }

  fileInput.addEventListener("change", function () {
    addFiles(fileInput.files);
    fileInput.value = "";
  });

  list.addEventListener("click", function (event) {
    if (event.target.classList.contains("upload-remove")) {
      event.target.closest("li").remove();
      saveDraft();
    }
  });

  // C-3: say, while composing, in which journals the photos will and won't appear.
  var note = form.querySelector(".appear-note");
  function explainReach() {
    if (!note) return;
    var chosen = Array.prototype.filter.call(
      form.querySelectorAll(".child-tile"),
      function (tile) { return tile.querySelector("input").checked; }
    );
    if (!mediaIds().length || !chosen.length) { note.hidden = true; return; }
    var lacking = chosen.filter(function (t) { return t.dataset.consent !== "yes"; });
    var lines = [];
    chosen.forEach(function (tile) {
      var blockers = lacking.filter(function (t) { return t !== tile; })
        .map(function (t) { return t.dataset.name; });
      if (blockers.length) {
        lines.push("Not in " + tile.dataset.name + "'s journal: " + blockers.join(" and ") +
                   (blockers.length > 1 ? " have" : " has") + " no photo consent.");
      }
    });
    var shown = chosen.filter(function (tile) {
      return !lacking.some(function (t) { return t !== tile; });
    }).map(function (t) { return t.dataset.name + "'s"; });
    if (shown.length) lines.unshift("Photos will appear in " + shown.join(", ") + " journal" +
                                    (shown.length > 1 ? "s" : "") + ".");
    note.textContent = lines.join(" ");
    note.hidden = false;
  }

  form.addEventListener("input", saveDraft);
  form.addEventListener("change", function () { saveDraft(); explainReach(); });
  new MutationObserver(explainReach).observe(list, { childList: true, subtree: true, attributes: true });

  function send(submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    sending = true;
    setButtons(true);
    // form.action would be the "action" buttons here, so read the attribute itself.
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Acorn-Capture": "1" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === 0) {
        return response.json().then(function (body) {
          clearDraft();
          window.location.assign(body.redirect);
        });
      }
      // The server has something to say (a missing child, say): show its page.
      sending = false;
      setButtons(false);
      saveDraft();
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      sending = false;
      setButtons(false);
      saveDraft();
      say("You seem to be offline. Your observation is saved on this device and will be sent " +
          "when the connection comes back.");
      window.addEventListener("online", function () { send(submitter); }, { once: true });
    });
  }

  function setButtons(disabled) {
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
      b.disabled = disabled;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    if (uploading > 0) {
      say("Please wait a moment: your photos and videos are still uploading.");
      return;
    }
    saveDraft();
    send(event.submitter);
  });

  restoreDraft();
  mediaField.value = mediaIds().join(",");
  // Files chosen before this script ran (a quick tap on a slow connection) still go up.
  if (fileInput.files && fileInput.files.length) {
    addFiles(fileInput.files);
    fileInput.value = "";
  }
})();
