// GitHub Pages (and `reportgen serve`) answer any missing address with this page, at any
// depth, so relative links cannot work. Find the site's root by asking for its feed at each
// ancestor folder, nearest first (never above the site unless it must), and point the links there; without JavaScript the links
// use the configured base URL, or the host's root.
(function () {
  "use strict";
  var folders = window.location.pathname.split("/").slice(1, -1);
  var candidates = [];
  for (var n = folders.length; n >= 0; n -= 1) {
    candidates.push("/" + folders.slice(0, n).join("/") + (n ? "/" : ""));
  }
  function apply(root) {
    Array.prototype.forEach.call(document.querySelectorAll("a[data-path]"), function (link) {
      link.href = root + link.getAttribute("data-path");
    });
  }
  function attempt(index) {
    if (index >= candidates.length || !window.fetch) { return; }
    window.fetch(candidates[index] + "feed.xml", { method: "HEAD" }).then(function (reply) {
      if (reply.ok) { apply(candidates[index]); } else { attempt(index + 1); }
    }, function () { attempt(index + 1); });
  }
  attempt(0);
})();
