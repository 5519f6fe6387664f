/* The home dashboard's charts: each <canvas data-dashboard-chart="key"> gets the Chart.js
 * configuration the server built (json_script "dashboard-charts"); a click on a bar, point,
 * flow or heat-map cell opens the list behind it (links[i], or links[dataset][i]). The charts
 * are kept in window.guanxiCharts for tests and for the page's own code. */
(function () {
  "use strict";
  const source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) {
    return;
  }
  const specs = JSON.parse(source.textContent);
  const RED = [220, 38, 38];
  window.guanxiCharts = {};

  function linkFor(links, datasetIndex, index) {
    if (!links || !links.length) return null;
    return Array.isArray(links[0]) ? (links[datasetIndex] || [])[index] : links[index];
  }

  function matrix(config) {
    const dataset = config.data.datasets[0];
    const extra = config.options.guanxi || {};
    const [nx, ny] = extra.grid || [5, 5];
    const alpha = dataset.guanxiAlpha || [];
    dataset.backgroundColor = (ctx) => `rgba(${RED.join(",")},${alpha[ctx.dataIndex] ?? 0.2})`;
    dataset.borderWidth = 1;
    dataset.borderColor = "rgba(255,255,255,0.6)";
    dataset.width = ({ chart }) => ((chart.chartArea || {}).width || 0) / nx - 2;
    dataset.height = ({ chart }) => ((chart.chartArea || {}).height || 0) / ny - 2;
    const axis = (labels, title) => ({
      type: "category", labels: labels, offset: true, reverse: false,
      grid: { display: false }, title: { display: !!title, text: title },
    });
    config.options.scales = { x: axis(extra.xLabels, extra.xTitle), y: axis(extra.yLabels, extra.yTitle) };
    config.options.plugins = {
      legend: { display: false },
      tooltip: {
        callbacks: {
          title: () => "",
          label: (ctx) => {
            const raw = ctx.raw;
            const n = raw.n !== undefined ? ` (${raw.n})` : "";
            const value = raw.value !== undefined ? ` · ${window.guanxiNumbers.compact(raw.value)}` : "";
            return `${ctx.dataset.label}: ${raw.v}${extra.percent ? " %" : ""}${n}${value}`;
          },
        },
      },
    };
  }

  function sankey(config) {
    const colours = (config.options.guanxi || {}).colours || {};
    const dataset = config.data.datasets[0];
    dataset.colorFrom = (ctx) => colours[ctx.dataset.data[ctx.dataIndex].from] || "#94a3b8";
    dataset.colorTo = (ctx) => colours[ctx.dataset.data[ctx.dataIndex].to] || "#94a3b8";
    dataset.colorMode = "gradient";
    dataset.borderWidth = 0;
  }

  for (const canvas of document.querySelectorAll("canvas[data-dashboard-chart]")) {
    const key = canvas.dataset.dashboardChart;
    const spec = specs[key];
    if (!spec) continue;
    const config = spec.config;
    config.options = config.options || {};
    if (config.type === "matrix") matrix(config);
    if (config.type === "sankey") sankey(config);
    delete config.options.guanxi;
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.onClick = (event, elements) => {
      const hit = elements[0];
      const url = hit && linkFor(spec.links, hit.datasetIndex, hit.index);
      if (url) window.location.assign(url);
    };
    config.options.onHover = (event, elements) => {
      event.native.target.style.cursor = elements.length ? "pointer" : "default";
    };
    window.guanxiCharts[key] = new Chart(canvas, config);
  }
})();
