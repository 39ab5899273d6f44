// newsdesk serve: the pages' own small script. Everything works without it (citations
// are #fragment links and :target marks the passage); with it, the cited passage is also
// marked with class "active" (so it stays marked after scrolling elsewhere) and the
// citation that led there is remembered for the back button.
(function () {
  "use strict";
  function mark(id) {
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    var old = document.querySelectorAll("mark.active, section.active");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("active");
    el.classList.add("active");
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!a || !a.dataset.target) return;
    mark(a.dataset.target);
  });
  window.addEventListener("hashchange", function () { mark(location.hash.slice(1)); });
  document.addEventListener("DOMContentLoaded", function () {
    if (location.hash) mark(location.hash.slice(1));
    document.documentElement.classList.add("js");
  });
})();
