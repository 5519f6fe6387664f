/* Numbers on every Chart.js chart of the admin, in the page's language: value axes and
 * tooltips read 1.2万 / 3.4亿 when <html lang> is zh-hans, 1.2k / 3.4M in English.
 * Loaded on every admin page (UNFOLD["SCRIPTS"]) right after unfold's Chart.js, so it applies
 * to every chart through a globally registered plug-in and the tooltip defaults: no chart needs
 * to ask for it. A chart opts out with options.plugins.guanxiNumbers = false. */
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }
  const chinese = () => (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const short = (x) => String(Math.round(x * 10) / 10);

  function compact(value) {
    const n = Number(value);
    if (!Number.isFinite(n)) {
      return value;
    }
    const a = Math.abs(n);
    if (chinese()) {
      if (a >= 1e8) return short(n / 1e8) + "亿";
      if (a >= 1e4) return short(n / 1e4) + "万";
    } else {
      if (a >= 1e6) return short(n / 1e6) + "M";
      if (a >= 1e3) return short(n / 1e3) + "k";
    }
    return n.toLocaleString(chinese() ? "zh-CN" : "en");
  }

  function tick(value) {
    return compact(value);
  }

  Chart.register({
    id: "guanxiNumbers",
    beforeUpdate(chart, _args, options) {
      if (options === false || (options && options.disabled)) {
        return;
      }
      for (const scale of Object.values(chart.options.scales || {})) {
        if (!scale || !["linear", "logarithmic"].includes(scale.type)) {
          continue;
        }
        if (scale.ticks && scale.ticks.callback !== tick) {
          scale.ticks.callback = tick;
        }
      }
    },
  });

  const callbacks = Chart.defaults.plugins.tooltip.callbacks;
  const defaultLabel = callbacks.label;
  callbacks.label = function (context) {
    const type = context.chart.config.type;
    const parsed = context.parsed;
    let value = null;
    if (typeof parsed === "number") {
      value = parsed;
    } else if (parsed && ["bar", "line"].includes(type)) {
      value = context.chart.options.indexAxis === "y" ? parsed.x : parsed.y;
    }
    if (typeof value === "number" && Math.abs(value) >= 1000) {
      const label = context.dataset.label || context.label || "";
      return (label ? label + ": " : "") + compact(value);
    }
    return defaultLabel.call(this, context);
  };

  window.guanxiNumbers = { compact: compact };
})();
