/* site-builder timeline: filters by category and tag, URL state, deep-link highlight, copy-link buttons.
 * Progressive enhancement: the page is complete without this script (every event shown, the filter
 * form stays hidden). State lives in the query string (?category=a&tag=b) so the hash stays free for
 * deep links to events (#event-id). Works with Material's instant navigation (document$). */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("form.sb-timeline-filters");
    if (!form || form.dataset.sbReady) return;
    form.dataset.sbReady = "1";
    var events = Array.prototype.slice.call(document.querySelectorAll("ol.sb-timeline[data-year] > li.sb-event"));
    var lists = Array.prototype.slice.call(document.querySelectorAll("ol.sb-timeline[data-year]"));
    var count = form.querySelector(".sb-timeline-count");
    var announcer = liveRegion(form);
    events.forEach(function (li) {
      try { li.sbTags = JSON.parse(li.getAttribute("data-tags") || "[]"); } catch (e) { li.sbTags = []; }
      addCopyButton(li, announcer);
    });

    function checked(name) {
      return Array.prototype.slice.call(form.querySelectorAll("input[name='" + name + "']:checked"))
        .map(function (input) { return input.value; });
    }

    function apply() {
      var cats = checked("category"), tags = checked("tag"), shown = 0;
      events.forEach(function (li) {
        var ok = (!cats.length || cats.indexOf(li.getAttribute("data-category")) >= 0) &&
          (!tags.length || tags.some(function (t) { return li.sbTags.indexOf(t) >= 0; }));
        li.hidden = !ok;
        if (ok) shown += 1;
      });
      lists.forEach(function (ol) {
        var empty = !ol.querySelector(":scope > li.sb-event:not([hidden])");
        ol.hidden = empty;
        var heading = document.getElementById(ol.getAttribute("aria-labelledby") || "");
        if (heading) heading.hidden = empty;
      });
      count.textContent = cats.length || tags.length
        ? "Showing " + shown + " of " + events.length + " events"
        : "Showing all " + events.length + " events";
      return { cats: cats, tags: tags };
    }

    function saveState(state) {
      var params = new URLSearchParams(window.location.search);
      params.delete("category");
      params.delete("tag");
      state.cats.forEach(function (c) { params.append("category", c); });
      state.tags.forEach(function (t) { params.append("tag", t); });
      var query = params.toString();
      history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    function restoreState() {
      var params = new URLSearchParams(window.location.search);
      var wanted = { category: params.getAll("category"), tag: params.getAll("tag") };
      Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (input) {
        input.checked = (wanted[input.name] || []).indexOf(input.value) >= 0;
      });
    }

    function showTarget() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var li = id && document.getElementById(id);
      if (!li || !li.classList.contains("sb-event")) return;
      if (li.hidden) {  // a shared link wins over the filters that would hide its event
        form.reset();
        saveState(apply());
      }
      Array.prototype.forEach.call(document.querySelectorAll(".sb-event--highlight"), function (el) {
        el.classList.remove("sb-event--highlight");
      });
      li.classList.add("sb-event--highlight");
      li.setAttribute("tabindex", "-1");
      li.scrollIntoView({ block: "center" });
      li.focus({ preventScroll: true });
    }

    form.addEventListener("change", function () { saveState(apply()); });
    form.addEventListener("reset", function () { setTimeout(function () { saveState(apply()); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    window.addEventListener("hashchange", showTarget);
    restoreState();
    apply();
    form.hidden = false;
    showTarget();
  }

  function liveRegion(form) {
    var region = document.createElement("p");
    region.className = "sb-visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    form.appendChild(region);
    return region;
  }

  function addCopyButton(li, announcer) {
    var permalink = li.querySelector(".sb-event__permalink");
    if (!permalink || li.querySelector(".sb-event__copy")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sb-event__copy";
    button.textContent = "Copy link";
    button.setAttribute("aria-label", "Copy link to this event");
    button.addEventListener("click", function () {
      var url = window.location.origin + window.location.pathname + "#" + encodeURIComponent(li.id);
      var done = function (message) { announcer.textContent = message; button.textContent = message; };
      var fallback = function () {
        history.replaceState(history.state, "", "#" + encodeURIComponent(li.id));
        done("Link in the address bar");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () { done("Link copied"); }, fallback);
      } else {
        fallback();
      }
      setTimeout(function () { button.textContent = "Copy link"; }, 2500);
    });
    permalink.insertAdjacentElement("afterend", button);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
