// Renders every chart of the page from the JSON spec embedded beside it, with the local
// Vega bundle: no network, SVG output, no action menu, and the reader's light or dark theme.
// Then, as progressive enhancement: an SVG download per chart and sortable tables.
(function () {
  "use strict";
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var nodes = document.querySelectorAll("script.chart-spec");
  Array.prototype.forEach.call(nodes, function (node) {
    var target = document.getElementById(node.getAttribute("data-target"));
    if (!target) { return; }
    var options = {
      renderer: "svg",
      actions: false,
      mode: "vega-lite",
      config: { background: null }
    };
    if (dark) { options.theme = "dark"; }
    window.vegaEmbed(target, JSON.parse(node.textContent), options).then(function (result) {
      return result.view.toSVG().then(function (svg) {
        var slot = document.querySelector(".svg-slot[data-for='" + target.id + "']");
        if (!slot) { return; }
        var link = document.createElement("a");
        link.href = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        link.download = "chart-" + node.getAttribute("data-name") + ".svg";
        link.textContent = "SVG";
        link.className = "svg-download";
        slot.appendChild(document.createTextNode(" · "));
        slot.appendChild(link);
      });
    }).catch(function (error) {
      target.textContent = "This chart could not be drawn; its data table is below.";
      console.error(error);
    });
  });

  // Sortable tables: a click on a header sorts by its column, a second click reverses.
  function key(cell) {
    var text = cell.textContent.trim();
    var number = parseFloat(text.replace(/[$,%×]/g, ""));
    return isNaN(number) || /[a-z]{3,}/i.test(text.replace(/ (ms|s|min|h|d)\b/g, "")) ? text : number;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2) { return; }
    Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
