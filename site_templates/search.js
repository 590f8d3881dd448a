// The search page. Over http(s) it asks Pagefind, merging the index's shards (one bundle a
// month in `pagefind/<shard>/`); opened from disk, where browsers refuse fetch() and so
// Pagefind cannot load, or if Pagefind fails, it searches `search/<shard>.js` (the same pages'
// text, loaded by <script> tags) with a small matcher of its own. Result links are made relative to this page, so they work at any depth,
// under a sub-path and from disk.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  if (!box) { return; }
  var root = box.getAttribute("data-root");
  var shards = (box.getAttribute("data-shards") || "").split(" ").filter(Boolean);
  var input = box.querySelector("input");
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-results");
  var note = document.querySelector(".search-note");
  var LIMIT = 20;
  box.hidden = false;
  if (note) { note.hidden = true; }

  // --- Pagefind, over http(s) ---
  function bundle(shard) {
    return new URL(root + "pagefind/" + shard + "/", document.baseURI).href;
  }
  function pagefindEngine() {
    if (!shards.length) { return Promise.reject(new Error("no index")); }
    return import(bundle(shards[0]) + "pagefind.js").then(function (pagefind) {
      // Raw addresses ("/daily/…/index.html", from the site root) are made relative below.
      return Promise.resolve(pagefind.options({ baseUrl: "/" })).then(function () {
        return Promise.all(shards.slice(1).map(function (shard) {
          return pagefind.mergeIndex(bundle(shard), { baseUrl: "/" });
        }));
      }).then(function () {
        return function (query) {
          return pagefind.search(query).then(function (found) {
            if (!found) { return { total: 0, results: [] }; }
            var shown = found.results.slice(0, LIMIT);
            return Promise.all(shown.map(function (r) { return r.data(); })).then(function (pages) {
              return {
                total: found.results.length,
                results: pages.map(function (page) {
                  return {
                    url: (page.raw_url || page.url).replace(/^\/+/, ""),
                    title: (page.meta && page.meta.title) || page.url,
                    excerpt: excerptNodes(page.excerpt)
                  };
                })
              };
            });
          });
        };
      });
    });
  }

  // Pagefind's excerpt is HTML with <mark>s: keep only its text and its marks.
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString("<p>" + (html || "") + "</p>", "text/html");
    var nodes = [];
    Array.prototype.forEach.call(parsed.body.firstChild.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(node.textContent));
      }
    });
    return nodes;
  }

  // --- The script-loaded index, from disk ---
  function load(shard) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + "search/" + shard + ".js";
      script.onload = resolve;
      script.onerror = function () { reject(new Error("no search index")); };
      document.head.appendChild(script);
    });
  }
  function localEngine() {
    window.reportgenSearchPages = [];
    return Promise.all(shards.map(load)).then(function () {
      // The shards arrive in any order: sort the pages by address for stable results.
      return window.reportgenSearchPages.slice().sort(function (a, b) {
        return a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
      });
    }).then(function (pages) {
      var prepared = pages.map(function (page) {
        return { page: page, title: page.title.toLowerCase(), text: page.text.toLowerCase() };
      });
      return function (query) {
        var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
        var found = [];
        prepared.forEach(function (entry) {
          var score = 0;
          for (var i = 0; i < terms.length; i += 1) {
            var inTitle = entry.title.indexOf(terms[i]) >= 0;
            var inText = entry.text.indexOf(terms[i]) >= 0;
            if (!inTitle && !inText) { return; }
            score += (inTitle ? 10 : 0) + (inText ? 1 : 0);
          }
          found.push({ entry: entry, score: score });
        });
        found.sort(function (a, b) { return b.score - a.score; });
        return Promise.resolve({
          total: found.length,
          results: found.slice(0, LIMIT).map(function (hit) {
            return {
              url: hit.entry.page.url,
              title: hit.entry.page.title,
              excerpt: localExcerpt(hit.entry, terms)
            };
          })
        });
      };
    });
  }

  function localExcerpt(entry, terms) {
    var text = entry.page.text;
    var lower = entry.text;
    var at = -1, term = "";
    terms.forEach(function (t) {
      var i = lower.indexOf(t);
      if (i >= 0 && (at < 0 || i < at)) { at = i; term = t; }
    });
    if (at < 0) { return [document.createTextNode(text.slice(0, 160))]; }
    var start = Math.max(0, at - 60);
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + term.length);
    return [
      document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)),
      mark,
      document.createTextNode(text.slice(at + term.length, at + term.length + 140) + "…")
    ];
  }

  // --- The page ---
  var engine = null;
  function getEngine() {
    if (!engine) {
      engine = location.protocol === "file:"
        ? localEngine()
        : pagefindEngine().catch(function () { return localEngine(); });
    }
    return engine;
  }

  function show(query, found) {
    list.textContent = "";
    if (!query) { status.textContent = ""; return; }
    status.textContent = found.total === 0
      ? "No report mentions “" + query + "”."
      : found.total + (found.total === 1 ? " report" : " reports") + " found" +
        (found.total > found.results.length ? ", the first " + found.results.length + " shown." : ".");
    found.results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + result.url;
      link.textContent = result.title;
      var excerpt = document.createElement("p");
      result.excerpt.forEach(function (node) { excerpt.appendChild(node); });
      item.appendChild(link);
      item.appendChild(excerpt);
      list.appendChild(item);
    });
  }

  var latest = 0;
  function run() {
    var query = input.value.trim();
    var ticket = latest += 1;
    if (history.replaceState) {
      var url = new URL(location.href);
      if (query) { url.searchParams.set("q", query); } else { url.searchParams.delete("q"); }
      try { history.replaceState(null, "", url.href); } catch (ignored) { /* file:// may refuse */ }
    }
    if (!query) { show("", { total: 0, results: [] }); return; }
    status.textContent = "Searching…";
    getEngine().then(function (search) { return search(query); }).then(function (found) {
      if (ticket === latest) { show(query, found); }
    }, function () {
      if (ticket === latest) { status.textContent = "The search index could not be loaded."; }
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
