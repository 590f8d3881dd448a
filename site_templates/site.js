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
    var spec = JSON.parse(node.textContent);
    var slot = document.querySelector(".download-slot[data-for='" + target.id + "']");
    if (slot && !slot.parentNode.querySelector(".csv-download")) {
      download(slot, "CSV", "text/csv", csv(spec.datasets.rows), node, "csv");
    }
    window.vegaEmbed(target, spec, options).then(function (result) {
      return result.view.toSVG().then(function (svg) {
        if (slot) { download(slot, "SVG", "image/svg+xml", svg, node, "svg"); }
      });
    }).catch(function (error) {
      target.textContent = "This chart could not be drawn; its data table is below.";
      console.error(error);
    });
  });

  // The chart's own rows as CSV (full precision), quoted where needed and with spreadsheet
  // formulas neutralised, as the site's CSV files are.
  function csv(rows) {
    if (!rows || !rows.length) { return ""; }
    var columns = Object.keys(rows[0]);
    function field(value) {
      var text = value === null || value === undefined ? "" : String(value);
      if (/^[=+\-@\t\r]/.test(text)) { text = "'" + text; }
      return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
    }
    return [columns.join(",")].concat(rows.map(function (row) {
      return columns.map(function (name) { return field(row[name]); }).join(",");
    })).join("\r\n") + "\r\n";
  }
  function download(slot, label, type, text, node, suffix) {
    var link = document.createElement("a");
    link.href = "data:" + type + ";charset=utf-8," + encodeURIComponent(text);
    link.download = "chart-" + node.getAttribute("data-name") + "." + suffix;
    link.textContent = label;
    link.className = suffix + "-download";
    slot.appendChild(document.createTextNode(" · "));
    slot.appendChild(link);
  }

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
