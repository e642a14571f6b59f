/* Marking faces in group photos (C-2), on the capture page and the entry page.
 *
 * When a photo shows a child without photo consent, staff see the photo with the faces
 * Acorn found outlined, tap that child's face, then tap the child's name: two taps. They
 * can draw a box round a face that was missed, or remove a wrong one. Marked faces are
 * hidden in the copy other families see; until then the photo stays out of their
 * journals. Plain JavaScript, no framework; works with touch, pen and mouse.
 */
(function () {
  "use strict";

  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var MIN_BOX = 0.02;

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function button(className, text, onClick) {
    var node = make("button", "button small " + className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function listNames(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  function possessive(name) {
    return name + "\u2019s";
  }

  function Marker(root, options) {
    this.root = root;
    this.facesUrl = options.facesUrl;
    this.photoUrl = options.photoUrl;
    this.ticked = options.ticked || function () { return []; };
    this.faces = [];
    this.children = [];
    this.needs = [];
    this.selected = null;
    this.drawing = false;
    this.loaded = false;
    this.timer = null;
  }

  Marker.prototype.url = function () {
    var ids = this.ticked();
    if (!ids.length) return this.facesUrl;
    return this.facesUrl + "?" + ids.map(function (id) {
      return "child=" + encodeURIComponent(id);
    }).join("&");
  };

  Marker.prototype.load = function () {
    var self = this;
    clearTimeout(this.timer);
    return fetch(this.url(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) { self.root.hidden = true; return; }
        if (answer.status === "processing") {
          self.timer = setTimeout(function () { self.load(); }, 2000);
        }
        self.take(answer);
        self.render();
      })
      .catch(function () { /* offline: the page says so elsewhere; try on next change */ });
  };

  Marker.prototype.take = function (answer) {
    this.kind = answer.kind;
    this.status = answer.status;
    this.faces = answer.faces.map(function (face) {
      return { box: face.box, child_id: face.child_id };
    });
    this.children = answer.children;
    this.needs = answer.needs_marking;
  };

  Marker.prototype.name = function (id) {
    for (var i = 0; i < this.children.length; i++) {
      if (this.children[i].id === id) return this.children[i].name;
    }
    return "A child";
  };

  Marker.prototype.relevant = function () {
    return this.needs.length > 0 || this.faces.some(function (face) { return face.child_id; });
  };

  Marker.prototype.render = function () {
    var self = this;
    var root = this.root;
    if (this.kind === "video") {
      root.hidden = !this.needs.length;
      root.textContent = "";
      var note = make("p", "notice",
        "This video stays out of other children\u2019s journals while " +
        listNames(this.needs.map(function (id) { return self.name(id); })) +
        " can be seen in it: Acorn can\u2019t yet follow a face through a clip to hide it.");
      root.appendChild(note);
      return;
    }
    if (!this.relevant() && !this.drawing && this.selected === null) {
      root.hidden = true;
      root.textContent = "";
      return;
    }
    root.hidden = false;
    root.textContent = "";
    if (this.status !== "ready") {
      root.appendChild(make("p", "face-prompt", "Finding faces in the photo\u2026"));
      return;
    }

    var prompt = make("p", "face-prompt");
    prompt.setAttribute("aria-live", "polite");
    if (this.drawing) {
      prompt.textContent = "Drag a box round the face.";
    } else if (this.selected !== null) {
      prompt.textContent = "Whose face is this?";
    } else if (this.needs.length) {
      var waiting = this.needs.map(function (id) { return self.name(id); });
      prompt.textContent = "Tap " + possessive(listNames(waiting)) + " face" +
        (waiting.length > 1 ? "s" : "") + " so we can hide " +
        (waiting.length > 1 ? "them" : "it") + " from other families.";
    } else {
      var hidden = this.faces.filter(function (face) { return face.child_id; })
        .map(function (face) { return self.name(face.child_id); });
      prompt.textContent = "Done: other families see this photo with " +
        possessive(listNames(hidden)) + " face hidden.";
    }
    root.appendChild(prompt);

    var stage = make("div", "face-stage" + (this.drawing ? " drawing" : ""));
    var image = make("img");
    image.src = this.photoUrl;
    image.alt = "The photo, with the faces found outlined";
    image.draggable = false;
    stage.appendChild(image);
    this.faces.forEach(function (face, index) {
      var box = make("button", "face-box" + (face.child_id ? " marked" : "") +
        (self.selected === index ? " selected" : ""));
      box.type = "button";
      box.style.left = (face.box[0] * 100) + "%";
      box.style.top = (face.box[1] * 100) + "%";
      box.style.width = (face.box[2] * 100) + "%";
      box.style.height = (face.box[3] * 100) + "%";
      var label = face.child_id ? possessive(self.name(face.child_id)) + " face" : "Face " + (index + 1);
      box.setAttribute("aria-label", label);
      box.setAttribute("aria-pressed", self.selected === index ? "true" : "false");
      if (face.child_id) box.appendChild(make("span", "face-label", self.name(face.child_id)));
      box.addEventListener("click", function (event) {
        event.stopPropagation();
        if (self.drawing) return;
        self.selected = self.selected === index ? null : index;
        self.render();
      });
      stage.appendChild(box);
    });
    this.enableDrawing(stage);
    root.appendChild(stage);

    if (this.selected !== null && this.faces[this.selected]) {
      var choices = make("div", "face-choices");
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Whose face is this?");
      var current = this.faces[this.selected];
      this.children.forEach(function (child) {
        if (child.image_consent) return;
        var chosen = current.child_id === child.id;
        var choice = button(chosen ? "primary" : "", child.name, function () {
          self.assign(self.selected, child.id);
        });
        choice.setAttribute("aria-pressed", chosen ? "true" : "false");
        choices.appendChild(choice);
      });
      choices.appendChild(button("", "Someone else", function () {
        self.assign(self.selected, null);
      }));
      choices.appendChild(button("danger", "Not a face: remove", function () {
        self.faces.splice(self.selected, 1);
        self.selected = null;
        self.save();
      }));
      root.appendChild(choices);
    }

    var tools = make("div", "face-tools");
    tools.appendChild(button("", this.drawing ? "Cancel drawing" : "Draw a box round a face", function () {
      self.drawing = !self.drawing;
      self.selected = null;
      self.render();
    }));
    root.appendChild(tools);
    if (this.message) {
      var status = make("p", "face-status" + (this.failed ? " error" : " hint"), this.message);
      status.setAttribute("role", this.failed ? "alert" : "status");
      root.appendChild(status);
    }
  };

  Marker.prototype.enableDrawing = function (stage) {
    var self = this;
    var start = null;
    var draft = null;
    function point(event) {
      var rect = stage.getBoundingClientRect();
      return {
        x: Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1),
        y: Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1)
      };
    }
    function box(a, b) {
      return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y)];
    }
    stage.addEventListener("pointerdown", function (event) {
      if (!self.drawing) return;
      event.preventDefault();
      start = point(event);
      if (stage.setPointerCapture) stage.setPointerCapture(event.pointerId);
      draft = make("div", "face-draft");
      stage.appendChild(draft);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!start || !draft) return;
      var b = box(start, point(event));
      draft.style.left = (b[0] * 100) + "%";
      draft.style.top = (b[1] * 100) + "%";
      draft.style.width = (b[2] * 100) + "%";
      draft.style.height = (b[3] * 100) + "%";
    });
    stage.addEventListener("pointerup", function (event) {
      if (!start) return;
      var b = box(start, point(event));
      start = null;
      if (b[2] < MIN_BOX || b[3] < MIN_BOX) { if (draft) draft.remove(); return; }
      self.faces.push({ box: b, child_id: null });
      self.drawing = false;
      self.selected = self.faces.length - 1;
      self.render();
    });
  };

  Marker.prototype.assign = function (index, childId) {
    if (childId) {
      // One face per child: a second tap on another face moves the mark.
      this.faces.forEach(function (face) { if (face.child_id === childId) face.child_id = null; });
    }
    this.faces[index].child_id = childId;
    this.selected = null;
    this.save();
  };

  Marker.prototype.save = function () {
    var self = this;
    this.message = "Saving\u2026";
    this.failed = false;
    this.render();
    return fetch(this.url(), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ faces: this.faces })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { ok: response.ok, status: response.status, answer: answer };
      });
    }).then(function (result) {
      if (!result.ok) {
        self.failed = true;
        self.message = result.answer.detail || (result.status === 403 ?
          "That wasn\u2019t saved: you can\u2019t do this right now. Reload the page to see why." :
          "That wasn\u2019t saved. Please try again.");
      } else {
        self.take(result.answer);
        if (!self.needs.length) {
          // The entry page's "Not shown in …'s journal" lines no longer hold.
          var panel = self.root.closest(".panel");
          if (panel) {
            Array.prototype.forEach.call(panel.querySelectorAll("[data-reach=hidden]"), function (line) {
              line.remove();
            });
          }
        }
        self.message = self.needs.length ? "Saved." :
          "Saved. Other families will see this photo with the marked face hidden in a moment.";
      }
      self.render();
    }).catch(function () {
      self.failed = true;
      self.message = "That wasn\u2019t saved: check the connection and tap again.";
      self.render();
    });
  };

  // The entry page: one marker per photo, for staff.
  Array.prototype.forEach.call(document.querySelectorAll(".face-marker[data-faces-url]"), function (root) {
    new Marker(root, { facesUrl: root.dataset.facesUrl, photoUrl: root.dataset.photoUrl }).load();
  });

  // The capture page: photos as they are uploaded, for the children ticked so far.
  var area = document.querySelector(".face-marking[data-faces-url]");
  if (!area) return;
  var form = area.closest("form") || document;
  var markers = {};
  function tickedIds() {
    return Array.prototype.map.call(
      form.querySelectorAll(".child-tile input:checked"), function (input) { return input.value; });
  }
  function anyWithoutConsent() {
    return Array.prototype.some.call(form.querySelectorAll(".child-tile"), function (tile) {
      return tile.dataset.consent === "no" && tile.querySelector("input").checked;
    });
  }
  var lastTicked = "";
  var pending = null;
  function refreshSoon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 250);
  }
  function refresh() {
    var ticked = tickedIds().join(",");
    var tickedChanged = ticked !== lastTicked;
    lastTicked = ticked;
    var ids = Array.prototype.map.call(
      form.querySelectorAll(".upload-item[data-id]"), function (item) { return item.dataset.id; });
    Object.keys(markers).forEach(function (id) {
      if (ids.indexOf(id) === -1) { markers[id].root.remove(); delete markers[id]; }
    });
    var needed = anyWithoutConsent();
    ids.forEach(function (id) {
      var fresh = !markers[id];
      if (fresh) {
        if (!needed) return;
        var root = make("div", "face-marker");
        root.hidden = true;
        area.appendChild(root);
        markers[id] = new Marker(root, {
          facesUrl: area.dataset.facesUrl.replace("MEDIA_ID", id),
          photoUrl: area.dataset.photoUrl.replace("MEDIA_ID", id),
          ticked: tickedIds
        });
      }
      if (fresh || tickedChanged) markers[id].load();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest(".child-tile")) refreshSoon();
  });
  var list = form.querySelector(".upload-list");
  if (list && window.MutationObserver) {
    new MutationObserver(refreshSoon).observe(list, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-id"]
    });
  }
  refresh();
})();
