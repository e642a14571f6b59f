// The photo viewer (issue 14): a photo in a journal entry or a child's gallery opens over
// the page instead of as a bare file. Swipe, the arrow keys or the buttons move between
// the photos and videos of the same entry (or gallery); Escape or Close shuts it and gives
// focus back to the photo that opened it. Every address it shows is one the page already
// had from the server (the same consent-checked /media/<id>/<rendition> URLs), so it can
// show nothing the page couldn't. Without JavaScript each photo links to its own page.
(function () {
  "use strict";

  var ITEM = "[data-viewer-item]";
  var GROUP = "[data-viewer-group]";
  var SWIPE = 50; // px a finger must travel sideways to count as a swipe

  var viewer = null; // the overlay, built on first use
  var parts = {};
  var items = [];
  var index = 0;
  var opener = null;
  var hidden = [];
  var touch = null;
  var pushed = false; // a history entry of our own, so a phone's Back closes the viewer

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    return node;
  }

  function build() {
    viewer = el("div", "viewer", {
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "viewer-title",
      hidden: "",
    });
    var bar = el("div", "viewer-bar");
    parts.title = el("p", "viewer-title", { id: "viewer-title", "aria-live": "polite" });
    parts.entry = el("a", "viewer-entry");
    parts.entry.textContent = "Open the entry";
    parts.close = el("button", "viewer-close", { type: "button", "aria-label": "Close" });
    parts.close.textContent = "×";
    bar.append(parts.title, parts.entry, parts.close);
    parts.stage = el("div", "viewer-stage");
    parts.prev = el("button", "viewer-nav viewer-prev", { type: "button", "aria-label": "Previous" });
    parts.prev.textContent = "‹";
    parts.next = el("button", "viewer-nav viewer-next", { type: "button", "aria-label": "Next" });
    parts.next.textContent = "›";
    parts.caption = el("p", "viewer-caption");
    viewer.append(bar, parts.stage, parts.prev, parts.next, parts.caption);
    document.body.append(viewer);

    parts.close.addEventListener("click", function () { close(); });
    parts.prev.addEventListener("click", function () { show(index - 1); });
    parts.next.addEventListener("click", function () { show(index + 1); });
    // On the document: focus may be on nothing in particular (a button just hidden).
    document.addEventListener("keydown", function (event) {
      if (!viewer.hidden) onKey(event);
    });
    // A tap on the dark space around the photo closes, as in a phone's own photos.
    parts.stage.addEventListener("click", function (event) {
      if (event.target === parts.stage) close();
    });
    parts.stage.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) { touch = null; return; }
      touch = { x: event.touches[0].clientX, y: event.touches[0].clientY };
    }, { passive: true });
    parts.stage.addEventListener("touchmove", function (event) {
      if (!touch || event.touches.length !== 1) return;
      var dx = event.touches[0].clientX - touch.x;
      var media = parts.stage.firstElementChild;
      if (media && Math.abs(dx) > Math.abs(event.touches[0].clientY - touch.y)) {
        media.style.transform = "translateX(" + dx + "px)";
      }
    }, { passive: true });
    parts.stage.addEventListener("touchend", function (event) {
      if (!touch) return;
      var end = event.changedTouches[0];
      var dx = end.clientX - touch.x;
      var dy = end.clientY - touch.y;
      touch = null;
      var media = parts.stage.firstElementChild;
      if (media) media.style.transform = "";
      if (Math.abs(dx) >= SWIPE && Math.abs(dx) > Math.abs(dy)) {
        show(index + (dx < 0 ? 1 : -1));
      }
    });
  }

  function groupOf(node) {
    var group = node.closest(GROUP);
    return group ? Array.prototype.slice.call(group.querySelectorAll(ITEM)) : [node];
  }

  // The width the photo will be drawn at, so `sizes` picks the thumbnail on a small
  // screen and the display copy on a large or sharp one.
  function fittedWidth(item) {
    var width = parseInt(item.dataset.width, 10);
    var height = parseInt(item.dataset.height, 10);
    var room = parts.stage.getBoundingClientRect();
    var roomWidth = room.width || window.innerWidth;
    var roomHeight = room.height || window.innerHeight;
    if (!width || !height) return Math.round(roomWidth);
    return Math.round(Math.min(roomWidth, (roomHeight * width) / height, width));
  }

  function mediaFor(item) {
    var media;
    if (item.dataset.kind === "video") {
      media = el("video", "viewer-media", {
        controls: "",
        playsinline: "",
        preload: "metadata",
        controlslist: "nodownload",
        "aria-label": item.dataset.alt || "Video",
      });
      if (item.dataset.poster) media.setAttribute("poster", item.dataset.poster);
      media.src = item.dataset.src;
    } else {
      media = el("img", "viewer-media", { alt: item.dataset.alt || "Photo" });
      if (item.dataset.srcset) {
        media.setAttribute("sizes", fittedWidth(item) + "px");
        media.setAttribute("srcset", item.dataset.srcset);
      }
      if (item.dataset.width) media.setAttribute("width", item.dataset.width);
      if (item.dataset.height) media.setAttribute("height", item.dataset.height);
      media.src = item.dataset.src;
    }
    return media;
  }

  function preload(item) {
    if (!item || item.dataset.kind === "video") return;
    var image = new Image();
    if (item.dataset.srcset) {
      image.sizes = fittedWidth(item) + "px";
      image.srcset = item.dataset.srcset;
    }
    image.src = item.dataset.src;
  }

  function show(wanted) {
    if (wanted < 0 || wanted >= items.length) return;
    var playing = parts.stage.querySelector("video");
    if (playing) playing.pause();
    index = wanted;
    var item = items[index];
    parts.stage.replaceChildren(mediaFor(item));
    var what = item.dataset.kind === "video" ? "Video" : "Photo";
    parts.title.textContent = items.length > 1
      ? what + " " + (index + 1) + " of " + items.length
      : what;
    parts.caption.textContent = item.dataset.caption || "";
    parts.caption.hidden = !item.dataset.caption;
    if (item.dataset.entry) {
      parts.entry.href = item.dataset.entry;
      parts.entry.hidden = false;
    } else {
      parts.entry.removeAttribute("href");
      parts.entry.hidden = true;
    }
    parts.prev.hidden = index === 0;
    parts.next.hidden = index === items.length - 1;
    var focused = document.activeElement;
    if (!focused || !viewer.contains(focused) || focused.hidden) parts.close.focus();
    preload(items[index + 1]);
    preload(items[index - 1]);
  }

  function open(item) {
    if (!viewer) build();
    opener = item;
    items = groupOf(item);
    // Everything else is out of reach while the viewer is open (focus stays inside).
    hidden = Array.prototype.filter.call(document.body.children, function (node) {
      return node !== viewer && !node.inert && node.tagName !== "SCRIPT";
    });
    hidden.forEach(function (node) { node.inert = true; });
    document.documentElement.classList.add("viewer-open");
    viewer.hidden = false;
    show(Math.max(items.indexOf(item), 0));
    parts.close.focus();
    if (!pushed) {
      history.pushState({ acornViewer: true }, "");
      pushed = true;
    }
  }

  function close(fromHistory) {
    if (!viewer || viewer.hidden) return;
    if (pushed && fromHistory !== true) {
      pushed = false;
      history.back(); // leaves our entry; its popstate finds the viewer already closed
    }
    var playing = parts.stage.querySelector("video");
    if (playing) playing.pause();
    parts.stage.replaceChildren();
    viewer.hidden = true;
    hidden.forEach(function (node) { node.inert = false; });
    hidden = [];
    document.documentElement.classList.remove("viewer-open");
    if (opener) opener.focus();
    opener = null;
  }

  function focusable() {
    return Array.prototype.filter.call(
      viewer.querySelectorAll("button, a[href], video[controls]"),
      function (node) { return !node.hidden && node.offsetParent !== null; }
    );
  }

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowRight" && event.target.tagName !== "VIDEO") {
      event.preventDefault();
      show(index + 1);
    } else if (event.key === "ArrowLeft" && event.target.tagName !== "VIDEO") {
      event.preventDefault();
      show(index - 1);
    } else if (event.key === "Tab") {
      // Keep focus inside the dialog (inert does this too where it is supported).
      var nodes = focusable();
      if (!nodes.length) return;
      var first = nodes[0];
      var last = nodes[nodes.length - 1];
      if (!viewer.contains(document.activeElement)) {
        event.preventDefault();
        first.focus();
      } else if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  window.addEventListener("popstate", function () {
    if (!pushed) return;
    pushed = false;
    close(true);
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest("a" + ITEM);
    if (!link) return;
    event.preventDefault();
    open(link);
  });

  // The journal's filters are folded behind "Filter" on a phone and an iPad, and open
  // beside the feed on a desktop.
  var wide = window.matchMedia("(min-width: 68.75rem)");
  Array.prototype.forEach.call(document.querySelectorAll("details[data-open-wide]"), function (node) {
    if (wide.matches) node.open = true;
  });
})();
