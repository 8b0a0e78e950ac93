// sayso pages: hovering (or focusing) a statement highlights its cue, source and content spans
// in the article text; hovering a highlighted span highlights the statements it belongs to.
(function () {
  "use strict";
  var PARTS = ["cue", "source", "content"];

  function spansOf(root, sid) {
    var q = PARTS.map(function (p) { return '[data-' + p + '~="' + CSS.escape(sid) + '"]'; }).join(",");
    return root.querySelectorAll(q);
  }

  function init() {
    var text = document.getElementById("article-text");
    if (!text) return;
    var items = document.querySelectorAll(".stmt[data-sid]");
    var bySid = {};
    items.forEach(function (li) { bySid[li.dataset.sid] = li; });

    function show(sid, on) {
      spansOf(text, sid).forEach(function (el) { el.classList.toggle("active", on); });
      if (bySid[sid]) bySid[sid].classList.toggle("active", on);
    }

    items.forEach(function (li) {
      var sid = li.dataset.sid;
      li.addEventListener("mouseenter", function () { show(sid, true); });
      li.addEventListener("mouseleave", function () { show(sid, false); });
      li.addEventListener("focus", function () { show(sid, true); });
      li.addEventListener("blur", function () { show(sid, false); });
      li.addEventListener("click", function (ev) {
        if (ev.target.closest("a")) return;
        var first = spansOf(text, sid)[0];
        if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
      });
    });

    var current = [];
    function statementsAt(el) {
      var sids = [];
      PARTS.forEach(function (p) {
        (el.getAttribute("data-" + p) || "").split(" ").forEach(function (s) {
          if (s && sids.indexOf(s) < 0) sids.push(s);
        });
      });
      return sids;
    }
    text.addEventListener("mouseover", function (ev) {
      var el = ev.target.closest ? ev.target.closest(".hl") : null;
      var sids = el ? statementsAt(el) : [];
      current.forEach(function (s) { if (sids.indexOf(s) < 0) show(s, false); });
      sids.forEach(function (s) { show(s, true); });
      current = sids;
    });
    text.addEventListener("mouseleave", function () {
      current.forEach(function (s) { show(s, false); });
      current = [];
    });

    // a link to #s3 (from a search result) lights that statement up
    var target = location.hash ? decodeURIComponent(location.hash.slice(1)) : "";
    if (target && bySid[target]) {
      show(target, true);
      var first = spansOf(text, target)[0];
      if (first) first.scrollIntoView({ block: "center" });
      bySid[target].scrollIntoView({ block: "nearest" });
    }
  }

  // the "show all statements" checkbox applies at once (without script: the form's button)
  function autosubmit() {
    document.querySelectorAll("input[data-autosubmit]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.form) return;
        if (box.form.requestSubmit) box.form.requestSubmit(); else box.form.submit();
      });
    });
  }

  function start() { autosubmit(); init(); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
