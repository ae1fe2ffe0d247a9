/* site-builder live preview client: reload when this page changed, show build errors. */
(function () {
  "use strict";
  var cfg = window.__siteBuilderLive;
  var root = new URL(cfg.root, location.href);
  var generation = cfg.generation;
  /* Read when needed: Material's instant navigation changes the location without a new script. */
  function scrollKey() { return "site-builder-scroll:" + location.pathname; }
  /* Fetched by every page but only for searching: a stale index until the next reload is harmless. */
  var NOT_A_REASON = {"search/search_index.json": true, "sitemap.xml": true, "sitemap.xml.gz": true};

  function currentPage() {
    var path = decodeURIComponent(location.pathname);
    var base = decodeURIComponent(root.pathname);
    var rel = path.indexOf(base) === 0 ? path.slice(base.length) : path.replace(/^\//, "");
    return rel === "" || rel.slice(-1) === "/" ? rel + "index.html" : rel;
  }

  /* Files this page loaded (styles, scripts, images, fetched data), relative to the site root. */
  function usedFiles() {
    var used = {};
    var urls = [];
    performance.getEntriesByType("resource").forEach(function (e) { urls.push(e.name); });
    document.querySelectorAll("[src],link[href]").forEach(function (el) {
      urls.push(el.src || el.href);
    });
    urls.forEach(function (u) {
      try {
        var url = new URL(u, location.href);
        if (url.origin === root.origin && url.pathname.indexOf(root.pathname) === 0) {
          used[decodeURIComponent(url.pathname.slice(root.pathname.length))] = true;
        }
      } catch (e) { /* not a URL */ }
    });
    return used;
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey(), String(window.scrollY)); } catch (e) { /* private mode */ }
    location.reload();
  }

  function restoreScroll() {
    var saved = null;
    try { saved = sessionStorage.getItem(scrollKey()); sessionStorage.removeItem(scrollKey()); } catch (e) { return; }
    if (saved === null) return;
    var y = Number(saved);
    window.scrollTo(0, y);
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }

  function onChanged(change) {
    /* The server restarted, or this is the "building…" placeholder: reload. */
    if (change.paths === null || cfg.page === null) { reload(); return; }
    generation = Math.max(generation, change.generation);
    var page = currentPage();
    var used = usedFiles();
    if (change.paths.some(function (p) { return p === page || (used[p] && !NOT_A_REASON[p]); })) reload();
  }

  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (style) node.setAttribute("style", style);
    return node;
  }

  function showErrors(errors) {
    var old = document.getElementById("site-builder-overlay");
    if (old) old.remove();
    if (!errors.length) return;
    var box = el("div", "", "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);" +
      "color:#eee;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem");
    box.id = "site-builder-overlay";
    box.setAttribute("role", "alert");
    var close = el("button", "×", "float:right;font-size:1.5rem;background:none;color:#eee;border:0;cursor:pointer");
    close.title = "Hide (it comes back if the next build fails too)";
    close.onclick = function () { box.remove(); };
    box.appendChild(close);
    box.appendChild(el("h2", errors.length + (errors.length === 1 ? " error" : " errors") +
      " — the preview shows the last version that built", "color:#ff7b72;font-size:1.1rem;margin:0 0 1rem"));
    errors.forEach(function (error) {
      var item = el("div", "", "margin:0 0 1.2rem");
      item.className = "site-builder-error";
      item.appendChild(el("div", error.position, "color:#79c0ff;font-weight:bold"));
      item.appendChild(el("div", error.message + (error.hint ? " — " + error.hint : "")));
      if (error.source !== null && error.source !== undefined) {
        var caret = new Array(Math.max(error.column, 1)).join(" ") + "^";
        item.appendChild(el("pre", error.source + "\n" + caret,
          "margin:.4rem 0 0;padding:.5rem;background:#000;color:#ddd;overflow:auto"));
      }
      box.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(box);
  }

  function connect(delay) {
    var url = new URL(cfg.events, root);  /* relative: works under a reverse proxy's sub-path */
    url.searchParams.set("generation", String(generation));
    url.searchParams.set("server", cfg.server);
    var source = new EventSource(url.href);
    source.addEventListener("changed", function (e) { onChanged(JSON.parse(e.data)); });
    source.addEventListener("errors", function (e) { showErrors(JSON.parse(e.data)); });
    source.onopen = function () { delay = 250; };
    source.onerror = function () {
      source.close();  /* reconnect ourselves: EventSource gives up after some errors */
      setTimeout(function () { connect(Math.min(delay * 2, 4000)); }, delay);
    };
  }

  restoreScroll();
  showErrors(cfg.errors);
  connect(250);
})();
