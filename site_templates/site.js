// Renders every chart of the page from the JSON spec embedded beside it, with the local
// Vega bundle: no network, SVG output, no action menu, and the reader's light or dark theme.
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
    window.vegaEmbed(target, JSON.parse(node.textContent), options).catch(function (error) {
      target.textContent = "This chart could not be drawn; its data table is below.";
      console.error(error);
    });
  });
})();
