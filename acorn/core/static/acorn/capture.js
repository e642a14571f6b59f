/* The capture page (and a parent's "add something from home"): upload photos and videos
   as soon as they are chosen (with progress), save what hasn't been sent as the signed-in
   person's own draft on the server as they type, and send the observation once, even if
   the button is tapped twice.

   The edit page uses it too (data-capture="edit", no autosave URL): uploads, removing
   photos and the consent note work the same, nothing is saved as a draft, and the form
   is sent as an ordinary form once every upload has finished.

   On a shared iPad nothing unsent may reach the next person. The device keeps a copy only
   while the connection is down, under this person's owner key and encrypted with their
   device key (both given by the server in the page); any copy that isn't theirs is
   dropped as the page loads, and signing in or out clears the site's storage. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-capture]");
  if (!form) return;

  var owner = form.dataset.owner || "";
  var deviceCopyKey = "acorn-capture:" + owner + ":" + form.dataset.capture;
  var autosaveUrl = form.dataset.autosaveUrl;
  var autosave = !!autosaveUrl;
  var fileInput = form.querySelector(".file-input");
  var list = form.querySelector(".upload-list");
  var mediaField = form.querySelector("input[name=media_ids]");
  var refField = form.querySelector("input[name=client_ref]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusBox = document.querySelector(".capture-status");
  var uploading = 0;
  var sending = false;
  var saveTimer = null;
  var unsaved = false;
  var inflight = Promise.resolve();
  var waitingForOnline = false;
  var saveRetries = 0;
  var sendRetries = 0;

  function newRef() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  if (refField && !refField.value) refField.value = newRef();

  /* The server answers 503 when it can't reach its database: nothing was saved, and
     the same request (same client reference) is safe to send again, a little later. */
  var RETRY_SECONDS = [3, 10, 30, 60];
  function retryLater(attempt, action) {
    var seconds = RETRY_SECONDS[Math.min(attempt, RETRY_SECONDS.length - 1)];
    setTimeout(action, seconds * 1000);
    return seconds;
  }

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

  function snapshot() {
    mediaField.value = mediaIds().join(",");
    return {
      ref: refField.value,
      media: mediaIds(),
      children: checkedValues("children"),
      areas: checkedValues("areas"),
      aspects: checkedValues("aspects"),
      characteristics: checkedValues("characteristics"),
      text: field("text") ? field("text").value : "",
      next_steps: field("next_steps") ? field("next_steps").value : "",
      observed_on: field("observed_on") ? field("observed_on").value : "",
      saved: Date.now()
    };
  }

  /* The device copy: encrypted, this person's only, and only while offline. */
  function sweepDevice() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (!key) continue;
        var unowned = key.indexOf("acorn-draft:") === 0;
        var someoneElses = key.indexOf("acorn-capture:") === 0 &&
          (!owner || key.indexOf("acorn-capture:" + owner + ":") !== 0);
        if (unowned || someoneElses) localStorage.removeItem(key);
      }
    } catch (e) { /* storage unavailable */ }
  }

  var cryptoKey = null;
  function deviceKey() {
    if (cryptoKey) return Promise.resolve(cryptoKey);
    if (!owner || !form.dataset.deviceKey || !window.crypto || !crypto.subtle) {
      return Promise.reject(new Error("no device key"));
    }
    var raw = Uint8Array.from(atob(form.dataset.deviceKey), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"])
      .then(function (key) { cryptoKey = key; return key; });
  }

  function toBase64(bytes) {
    var text = "";
    bytes.forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text);
  }

  function fromBase64(text) {
    return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
  }

  function keepOnDevice(draft) {
    return deviceKey().then(function (key) {
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(draft));
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, plain).then(function (sealed) {
        localStorage.setItem(deviceCopyKey, JSON.stringify({
          iv: toBase64(iv), sealed: toBase64(new Uint8Array(sealed))
        }));
      });
    }).catch(function () { /* no secure context or storage: the server copy is all */ });
  }

  function readFromDevice() {
    var stored;
    try { stored = JSON.parse(localStorage.getItem(deviceCopyKey) || "null"); } catch (e) { stored = null; }
    if (!stored) return Promise.resolve(null);
    return deviceKey().then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(stored.iv) }, key,
                                   fromBase64(stored.sealed));
    }).then(function (plain) {
      return JSON.parse(new TextDecoder().decode(plain));
    }).catch(function () { dropFromDevice(); return null; });
  }

  function dropFromDevice() {
    try { localStorage.removeItem(deviceCopyKey); } catch (e) { /* ignore */ }
  }

  /* Autosave to the person's own draft on the server. */
  function saveDraft() {
    mediaField.value = mediaIds().join(",");
    if (!autosave) return;
    unsaved = true;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 1000);
  }

  function draftData() {
    var data = new FormData(form);
    data.delete("action");
    data.append("capture", form.dataset.capture);
    return data;
  }

  function saveNow() {
    clearTimeout(saveTimer);
    saveTimer = null;
    if (!autosave || !unsaved || sending) return Promise.resolve();
    var draft = snapshot();
    inflight = fetch(autosaveUrl, {
      method: "POST",
      body: draftData(),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === 0) {
        if (saveTimer === null) unsaved = false;  // else more was typed meanwhile
        dropFromDevice();
        form.dataset.savedAt = String(Date.now());
        return;
      }
      if (response.status === 503) {
        // Acorn is briefly unable to save: keep it here (encrypted) and save it later.
        keepOnDevice(draft);
        retryLater(saveRetries++, function () { unsaved = true; saveNow(); });
        return;
      }
      // Signed out (or the page is stale): keep nothing on this device.
      dropFromDevice();
    }).catch(function () {
      keepOnDevice(draft);
      say("You seem to be offline. What you've written is kept on this device for you " +
          "only, and saved for you when the connection comes back.");
      if (waitingForOnline) return;
      waitingForOnline = true;
      window.addEventListener("online", function () {
        waitingForOnline = false;
        say("");
        unsaved = true;
        saveNow();
      }, { once: true });
    });
    return inflight;
  }

  // Leaving the page: send what hasn't been saved yet.
  window.addEventListener("pagehide", function () {
    if (autosave && unsaved && !sending && navigator.sendBeacon) {
      if (navigator.sendBeacon(autosaveUrl, draftData())) unsaved = false;
    }
  });

  function clearDraft() {
    unsaved = false;
    clearTimeout(saveTimer);
    dropFromDevice();
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
    li.appendChild(icon(kind));
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = (kind === "video" ? "Video" : "Photo") + " added";
    li.appendChild(name);
    removeButton(li);
    list.appendChild(li);
    watch(li);
  }

  /* A photo or video being processed shows "Processing…" until it is ready, then its
     thumbnail (a video's poster frame), as the journal does; or why it couldn't be. */
  function watch(li) {
    var tries = 0;
    function check() {
      if (!li.isConnected || !li.dataset.id) return;
      tries += 1;
      fetch("/media/" + li.dataset.id + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; })
        .then(function (body) { show(li, body, function () {
          if (tries < 100) setTimeout(check, tries < 10 ? 2000 : 6000);
        }); });
    }
    check();
  }

  function show(li, body, later) {
    var label = li.querySelector(".upload-name");
    var kind = (body && body.kind) || li.dataset.kind || "photo";
    var noun = kind === "video" ? "Video" : "Photo";
    li.dataset.kind = kind;
    if (body && body.status === "ready" && body.thumb) {
      var img = document.createElement("img");
      img.alt = "";
      img.src = body.thumb;
      var old = li.querySelector("img, .upload-icon");
      if (old) old.replaceWith(img); else li.insertBefore(img, li.firstChild);
      li.classList.remove("upload-processing");
      if (label) label.textContent = noun + " added";
      return;
    }
    if (body && body.status === "failed") {
      li.classList.remove("upload-processing");
      li.classList.add("upload-failed");
      if (label) label.textContent = body.message || (noun + " couldn't be processed.");
      return;
    }
    li.classList.add("upload-processing");
    var placeholder = li.querySelector(".upload-icon");
    if (placeholder) placeholder.textContent = noun + ": processing…";
    if (label) label.textContent = noun + " added, still processing…";
    later();
  }

  function icon(kind) {
    var span = document.createElement("span");
    span.className = "upload-icon";
    span.setAttribute("aria-hidden", "true");
    span.textContent = kind === "video" ? "Video" : "Photo";
    return span;
  }

  function fill(draft) {
    refField.value = draft.ref || refField.value;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      box.checked = false;
    });
    (draft.children || []).forEach(function (id) {
      var box = form.querySelector("input[name=children][value='" + id + "']");
      if (box) box.checked = true;
    });
    ["areas", "aspects", "characteristics"].forEach(function (name) {
      (draft[name] || []).forEach(function (code) {
        var box = form.querySelector("input[name=" + name + "][value='" + code + "']");
        if (box) box.checked = true;
      });
    });
    if (field("text")) field("text").value = draft.text || "";
    if (field("next_steps")) field("next_steps").value = draft.next_steps || "";
    if (field("observed_on") && draft.observed_on) field("observed_on").value = draft.observed_on;
    (draft.media || []).forEach(function (id) { addMediaItem(id, "photo"); });
    mediaField.value = mediaIds().join(",");
  }

  function whoAndWhen(draft) {
    var names = (draft.children || []).map(function (id) {
      var tile = form.querySelector("input[name=children][value='" + id + "']");
      tile = tile && tile.closest(".child-tile");
      return tile ? tile.dataset.name : null;
    }).filter(Boolean);
    var written = new Date(draft.saved);
    var when = written.toLocaleDateString() === new Date().toLocaleDateString()
      ? "today at " + written.toTimeString().slice(0, 5)
      : "on " + written.toLocaleDateString() + " at " + written.toTimeString().slice(0, 5);
    return (names.length ? " about " + names.join(" and ") : "") + ", written " + when;
  }

  /* A copy kept on this device while offline is offered, never filled in silently. */
  function offerDeviceCopy() {
    if (!autosave) return;
    readFromDevice().then(function (draft) {
      if (!draft || !statusBox) return;
      var untouched = (!field("text") || !field("text").value) && !mediaIds().length &&
        !document.querySelector(".error-summary");
      if (!untouched || draft.ref === refField.value) {
        if (draft.ref === refField.value) { unsaved = true; saveNow(); }
        return;
      }
      statusBox.textContent = "Saved on this device while it was offline: what you hadn't sent" +
        whoAndWhen(draft) + ". ";
      var carry = document.createElement("button");
      carry.type = "button";
      carry.className = "button small";
      carry.textContent = "Carry on with it";
      carry.onclick = function () {
        fill(draft);
        say("You're carrying on with what you hadn't sent" + whoAndWhen(draft) + ".");
        unsaved = true;
        saveNow();
      };
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button small";
      discard.textContent = "Discard it";
      discard.onclick = function () { dropFromDevice(); say(""); };
      statusBox.appendChild(carry);
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(discard);
      statusBox.hidden = false;
    });
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
        if (body.status !== "ready") watch(li); else show(li, body);
        saveDraft();
      } else {
        li.classList.add("upload-failed");
        bar.remove();
        label.textContent = body.detail || (request.status === 503
          ? "Acorn couldn't store " + file.name + " just now. Please try again in a minute."
          : "This file couldn't be added.");
        // 503: Acorn couldn't store it just now; the same file can simply go again.
        if (request.status === 503) offerRetry();
      }
    };
    request.onerror = function () {
      uploading -= 1;
      li.classList.add("upload-failed");
      bar.remove();
      label.textContent = "The connection dropped while sending " + file.name + ".";
      offerRetry();
    };
    function offerRetry() {
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button small";
      retry.textContent = "Try again";
      retry.onclick = function () {
        li.remove();
        addFiles([file]);
      };
      li.appendChild(retry);
    }
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
      var gone = event.target.closest("li");
      // The edit page: "who can be seen" goes with the photo.
      var appears = gone.dataset.id && form.querySelector(".appears-for[data-media='" + gone.dataset.id + "']");
      if (appears) appears.hidden = true;
      gone.remove();
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
      if (response.status === 503) {
        sending = false;
        setButtons(false);
        keepOnDevice(snapshot());
        var seconds = retryLater(sendRetries++, function () { if (!sending) send(submitter); });
        say("Acorn couldn't save this just now, and nothing was half-saved. What you've " +
            "written is kept for you only, and we'll send it again in " + seconds +
            " seconds (or tap the button again).");
        return;
      }
      // The server has something to say (a missing child, say): show its page.
      sending = false;
      setButtons(false);
      saveDraft();
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      sending = false;
      setButtons(false);
      keepOnDevice(snapshot());
      say("You seem to be offline. Your observation is kept on this device for you only, " +
          "and will be sent when the connection comes back.");
      window.addEventListener("online", function () { send(submitter); }, { once: true });
    });
  }

  function setButtons(disabled) {
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
      b.disabled = disabled;
    });
  }

  form.addEventListener("submit", function (event) {
    if (!autosave) {
      // The edit page: an ordinary form, once the uploads are in.
      mediaField.value = mediaIds().join(",");
      if (uploading > 0) {
        event.preventDefault();
        say("Please wait a moment: your photos and videos are still uploading.");
      }
      return;
    }
    event.preventDefault();
    if (sending) return;
    if (uploading > 0) {
      say("Please wait a moment: your photos and videos are still uploading.");
      return;
    }
    var submitter = event.submitter;
    var discarding = submitter && submitter.value === "discard";
    if (discarding && !window.confirm("Discard this? What you've written will be gone.")) return;
    // Nothing more goes to the server copy; a save already on its way lands first.
    clearTimeout(saveTimer);
    unsaved = false;
    sending = true;
    inflight.then(function () { send(submitter); });
  });

  sweepDevice();
  offerDeviceCopy();
  mediaField.value = mediaIds().join(",");
  Array.prototype.forEach.call(list.querySelectorAll("li[data-status=processing]"), watch);
  // Files chosen before this script ran (a quick tap on a slow connection) still go up.
  if (fileInput.files && fileInput.files.length) {
    addFiles(fileInput.files);
    fileInput.value = "";
  }
})();
