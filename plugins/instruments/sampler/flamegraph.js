// flamegraph.js — the flame graph's interactivity, embedded in the SVG by
// flamegraph.c: details on mouse-over, click to zoom, search, reset.
//
// Each frame is a <g class="f"> in #frames holding a <title> ("name (N
// samples, x.xx%)"), a <rect> and a <text>; data-x and data-w give its left
// edge and width in samples. No per-frame state is kept in the script: the
// document is the state.
(function () {
  "use strict";

  var frames = document.getElementById("frames");
  var root = frames.firstElementChild;
  var total = Number(frames.getAttribute("data-total"));
  var left = Number(frames.getAttribute("data-left"));
  var width = Number(frames.getAttribute("data-width"));
  var charWidth = Number(frames.getAttribute("data-char-width"));
  var textPad = Number(frames.getAttribute("data-text-pad"));
  var details = document.getElementById("details");
  var unzoomButton = document.getElementById("unzoom");
  var searchButton = document.getElementById("search");
  var matchedText = document.getElementById("matched");
  var searching = false;

  function number(frame, attribute) {
    return Number(frame.getAttribute(attribute));
  }

  function titleOf(frame) {
    return frame.firstElementChild.textContent;
  }

  // The title is "name (...)": the name is what comes before the last " (".
  function nameOf(frame) {
    var title = titleOf(frame);
    return title.slice(0, title.lastIndexOf(" ("));
  }

  function boxOf(frame) {
    return frame.children[1];
  }

  // The frame (a child of #frames) that an event's target is part of.
  function frameOf(node) {
    while (node && node.parentNode !== frames) {
      node = node.parentNode;
    }
    return node;
  }

  // The name cut with ".." to what fits in the box, as flamegraph.c cuts it.
  function fitText(frame, boxWidth) {
    var fits = Math.floor((boxWidth - 2 * textPad) / charWidth);
    var name = Array.from(nameOf(frame));
    var text = "";
    if (fits >= 3) {
      text = name.length <= fits ? name.join("") : name.slice(0, fits - 2).join("") + "..";
    }
    frame.lastElementChild.textContent = text;
  }

  function place(frame, x, boxWidth) {
    var box = boxOf(frame);
    box.setAttribute("x", x.toFixed(2));
    box.setAttribute("width", boxWidth.toFixed(2));
    frame.lastElementChild.setAttribute("x", (x + textPad).toFixed(2));
    fitText(frame, boxWidth);
  }

  // Zooms on `target`: it and its callers full width, its callees rescaled
  // to its width, every other frame hidden. Frames nest by their sample
  // ranges, and a callee is drawn above (at a smaller y than) its caller.
  function zoom(target) {
    var zx = number(target, "data-x");
    var zw = number(target, "data-w") || 1;
    var zy = number(boxOf(target), "y");
    var all = frames.children;
    for (var i = 0; i < all.length; i++) {
      var frame = all[i];
      var x = number(frame, "data-x");
      var w = number(frame, "data-w");
      var y = number(boxOf(frame), "y");
      var caller = y >= zy && x <= zx && x + w >= zx + zw;
      var callee = y < zy && x >= zx && x + w <= zx + zw;
      frame.classList.toggle("hide", !caller && !callee);
      frame.classList.toggle("parent", caller && y > zy);
      if (caller) {
        place(frame, left, width);
      } else if (callee) {
        place(frame, left + ((x - zx) / zw) * width, (w / zw) * width);
      }
    }
    unzoomButton.classList.toggle("hide", target === root);
  }

  function resetZoom() {
    zoom(root);
  }

  // The samples under at least one of the intervals [x, x + w), counted once:
  // a matching frame's matching callers and callees cover the same samples.
  function coveredSamples(intervals) {
    intervals.sort(function (a, b) {
      return a[0] - b[0];
    });
    var covered = 0;
    var end = -Infinity;
    for (var i = 0; i < intervals.length; i++) {
      var start = Math.max(intervals[i][0], end);
      if (intervals[i][1] > start) {
        covered += intervals[i][1] - start;
        end = intervals[i][1];
      }
    }
    return covered;
  }

  function search(term) {
    var pattern;
    try {
      pattern = new RegExp(term);
    } catch (error) {
      details.textContent = "Not a regular expression: " + error.message;
      return;
    }
    var intervals = [];
    var all = frames.children;
    for (var i = 0; i < all.length; i++) {
      var matches = pattern.test(nameOf(all[i]));
      all[i].classList.toggle("match", matches);
      if (matches) {
        var x = number(all[i], "data-x");
        intervals.push([x, x + number(all[i], "data-w")]);
      }
    }
    var share = total ? (100 * coveredSamples(intervals)) / total : 0;
    matchedText.textContent = "Matched: " + share.toFixed(1) + "%";
    searchButton.textContent = "Reset Search";
    searching = true;
  }

  function resetSearch() {
    var matched = frames.querySelectorAll(".match");
    for (var i = 0; i < matched.length; i++) {
      matched[i].classList.remove("match");
    }
    matchedText.textContent = " ";
    searchButton.textContent = "Search";
    searching = false;
  }

  function askSearch() {
    var term = window.prompt("Search for frames whose name matches (a regular expression):", "");
    if (term) {
      search(term);
    }
  }

  frames.addEventListener("mouseover", function (event) {
    var frame = frameOf(event.target);
    if (frame) {
      details.textContent = titleOf(frame);
    }
  });
  frames.addEventListener("mouseout", function () {
    details.textContent = " ";
  });
  frames.addEventListener("click", function (event) {
    var frame = frameOf(event.target);
    if (frame) {
      zoom(frame);
    }
  });
  unzoomButton.addEventListener("click", resetZoom);
  searchButton.addEventListener("click", function () {
    if (searching) {
      resetSearch();
    } else {
      askSearch();
    }
  });
  window.addEventListener("keydown", function (event) {
    if (event.key === "F3" || ((event.ctrlKey || event.metaKey) && event.key === "f")) {
      event.preventDefault();
      askSearch();
    } else if (event.key === "Escape") {
      resetSearch();
      resetZoom();
    }
  });
})();
