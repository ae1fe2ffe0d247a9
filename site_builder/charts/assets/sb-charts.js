/* site-builder chart runtime: turns each <figure class="sb-chart"> into a live Vega view.
 *
 * The page already shows a static SVG per palette; this script (loaded only on chart pages) fetches
 * the vendored Vega when a chart nears the viewport, renders the pre-compiled Vega spec with the
 * palette's config, follows palette toggles and the column's width, and re-scans after Material's
 * instant navigation. Tooltips show on hover and, with arrow keys, on keyboard focus.
 */
(function () {
  "use strict";
  if (window.sbCharts) { window.sbCharts.scan(); return; }  // a second copy after instant navigation

  var THEMES = __SB_THEMES__;  // filled at build time from site_builder/charts/render.py
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/?#]*([?#].*)?$/, "") : "";
  var vegaLoading = null;
  var figures = [];

  function loadVega() {
    if (window.vega) { return Promise.resolve(window.vega); }
    vegaLoading = vegaLoading || new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = base + "vendor/vega.min.js";
      tag.onload = function () { resolve(window.vega); };
      tag.onerror = function () { vegaLoading = null; reject(new Error("chart runtime failed to load")); };
      document.body.appendChild(tag);  // not <head>: instant navigation swaps its contents
    });
    return vegaLoading;
  }

  function palette() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function specOf(fig) {
    var url = fig.getAttribute("data-sb-spec-url");
    if (url) { return fetch(url).then(function (r) { return r.json(); }); }
    return Promise.resolve(JSON.parse(fig.querySelector("template.sb-chart__spec").content.textContent));
  }

  function hydrate(fig) {
    Promise.all([loadVega(), Promise.resolve().then(function () { return specOf(fig); })]).then(function (got) {
      fig.sbSpec = got[1];
      return render(fig);
    }).catch(function (err) {
      fig.setAttribute("data-sb-failed", "");  // the static SVG stays: still a readable chart
      console.warn("site-builder chart:", err);
    });
  }

  function render(fig) {
    if (fig.sbView) { fig.sbView.finalize(); }
    var live = fig.querySelector(".sb-chart__live");
    live.textContent = "";
    var view = new window.vega.View(window.vega.parse(fig.sbSpec, THEMES[palette()]),
      { renderer: "svg", container: live, hover: true });
    view.tooltip(function (handler, event, item, value) { showTip(fig, item, value); });
    fig.sbView = view;
    fig.sbPalette = palette();
    fig.sbWidth = 0;
    fit(fig);
    return view.runAsync().then(function () { fig.classList.add("is-live"); });
  }

  // A chart that follows the column takes its width at the static SVG's proportions, so hydrating
  // or resizing never shifts the text below it.
  function fit(fig) {
    var width = fig.querySelector(".sb-chart__view").clientWidth;
    var svg = fig.querySelector(".sb-chart__static svg");
    if (!fig.sbView || !fig.hasAttribute("data-sb-fit") || width === 0 || width === fig.sbWidth) { return false; }
    fig.sbWidth = width;
    var ratio = svg.getAttribute("height") / svg.getAttribute("width");
    fig.sbView.width(width).height(Math.round(width * ratio));
    return true;
  }

  function resize(fig) {
    if (fit(fig)) { fig.sbView.runAsync(); }
  }

  function tipText(value) {
    if (value === null || value === undefined || value === "") { return ""; }
    if (typeof value !== "object") { return String(value); }
    return Object.keys(value).map(function (k) { return k + ": " + value[k]; }).join("\n");
  }

  function showTip(fig, item, value) {
    var tip = fig.querySelector(".sb-chart__tooltip");
    var text = item ? tipText(value) : "";
    tip.hidden = !text;
    tip.textContent = text;  // text only: a value can never become markup
    if (!text) { return; }
    var view = fig.querySelector(".sb-chart__view");
    var origin = fig.sbView.origin();
    var b = item.bounds;
    tip.style.left = Math.round(view.offsetLeft + origin[0] + (b.x1 + b.x2) / 2) + "px";
    tip.style.top = Math.round(view.offsetTop + origin[1] + b.y1 - 8) + "px";
  }

  function tooltipItems(node, out) {
    (node.items || []).forEach(function (item) {
      if (item.tooltip !== undefined && item.tooltip !== null) { out.push(item); }
      tooltipItems(item, out);
    });
    return out;
  }

  function onKey(fig, event) {
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (event.key === "Escape") { showTip(fig, null); return; }
    if (!step || !fig.sbView) { return; }
    event.preventDefault();
    var items = tooltipItems(fig.sbView.scenegraph().root, []);
    if (!items.length) { return; }
    fig.sbFocus = ((fig.sbFocus === undefined ? -step : fig.sbFocus) + step + items.length) % items.length;
    showTip(fig, items[fig.sbFocus], items[fig.sbFocus].tooltip);
  }

  var nearViewport = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { nearViewport.unobserve(entry.target); hydrate(entry.target); }
    });
  }, { rootMargin: "400px 0px" }) : null;

  var sized = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { resize(entry.target.closest("figure.sb-chart")); });
  }) : null;

  function scan() {
    figures = figures.filter(function (fig) {
      if (document.contains(fig)) { return true; }
      if (fig.sbView) { fig.sbView.finalize(); }  // left behind by instant navigation
      return false;
    });
    document.querySelectorAll("figure.sb-chart:not([data-sb-seen])").forEach(function (fig) {
      fig.setAttribute("data-sb-seen", "");
      figures.push(fig);
      var view = fig.querySelector(".sb-chart__view");
      view.addEventListener("keydown", function (event) { onKey(fig, event); });
      view.addEventListener("blur", function () { showTip(fig, null); });
      if (sized) { sized.observe(view); }
      if (nearViewport) { nearViewport.observe(fig); } else { hydrate(fig); }
    });
  }

  new MutationObserver(function () {
    figures.forEach(function (fig) {
      if (fig.sbView && fig.sbPalette !== palette()) { render(fig); }
    });
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  window.sbCharts = { scan: scan };
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(scan);  // Material's page observable: fires now and after instant navigation
  } else {
    scan();
  }
})();
