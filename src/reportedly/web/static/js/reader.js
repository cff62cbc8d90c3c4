// The reader: click or hover a highlighted claim to see its card and source chain.
// Builds no HTML from data: it only toggles classes and the `hidden` attribute of
// server-rendered (escaped) elements.
(function () {
  "use strict";
  const text = document.getElementById("article-text");
  const index = document.getElementById("claim-index");
  if (!text || !index) return;
  const cards = Array.from(document.querySelectorAll(".claim"));
  const ATTRS = { ev: "data-ev", fig: "data-fig", att: "data-att" };

  function ids(el, kind) {
    return (el.getAttribute(ATTRS[kind]) || "").split(" ").filter(Boolean);
  }

  // The claim a segment stands for: an event trigger first, then a figure, then the
  // innermost attribution (the server lists attribution ids outermost first).
  function claimOf(segment) {
    for (const kind of ["ev", "fig", "att"]) {
      const found = ids(segment, kind);
      if (found.length) return { kind: kind, ref: found[found.length - 1] };
    }
    return null;
  }

  function segmentsOf(claim) {
    return text.querySelectorAll("[" + ATTRS[claim.kind] + "~=\"" + CSS.escape(claim.ref) + "\"]");
  }

  function mark(className, claim) {
    text.querySelectorAll("." + className).forEach(function (el) { el.classList.remove(className); });
    if (claim) segmentsOf(claim).forEach(function (el) { el.classList.add(className); });
  }

  function show(claim, scrollText) {
    const card = document.getElementById("card-" + claim.kind + "-" + claim.ref);
    if (!card) return;
    index.hidden = true;
    cards.forEach(function (c) { c.hidden = c !== card; });
    mark("active", claim);
    if (scrollText) {
      const first = segmentsOf(claim)[0];
      if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    history.replaceState(null, "", "#" + claim.kind + "-" + claim.ref);
  }

  function reset() {
    cards.forEach(function (c) { c.hidden = true; });
    index.hidden = false;
    mark("active", null);
    history.replaceState(null, "", location.pathname + location.search);
  }

  text.addEventListener("click", function (event) {
    const segment = event.target.closest(".hl");
    const claim = segment && claimOf(segment);
    if (claim) show(claim, false);
  });
  text.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    const segment = event.target.closest(".hl");
    const claim = segment && claimOf(segment);
    if (claim) { event.preventDefault(); show(claim, false); }
  });
  text.addEventListener("mouseover", function (event) {
    const segment = event.target.closest(".hl");
    mark("hover", segment ? claimOf(segment) : null);
  });
  text.addEventListener("mouseleave", function () { mark("hover", null); });

  document.querySelectorAll("[data-open]").forEach(function (button) {
    button.addEventListener("click", function () {
      show({ kind: button.getAttribute("data-open"), ref: button.getAttribute("data-ref") }, true);
    });
  });
  document.querySelectorAll("[data-close]").forEach(function (button) {
    button.addEventListener("click", reset);
  });

  const hash = /^#(ev|fig|att)-(.+)$/.exec(location.hash);
  if (hash) show({ kind: hash[1], ref: decodeURIComponent(hash[2]) }, true);
})();
