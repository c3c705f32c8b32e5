/* cleanfreight offline map helpers: point layers, legend, title, search, full screen.
 * No network access, no third-party plugin. Every piece of user data is written with
 * textContent (never innerHTML), so names such as "<script>" show as text. */
(function () {
  "use strict";
  var cf = (window.cleanfreight = window.cleanfreight || {});
  cf.searchIndex = [];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  cf.el = el;

  function popupContent(p) {
    var box = el("div", "cf-popup");
    if (p.title) box.appendChild(el("div", "cf-popup-title", p.title));
    if (p.subtitle) box.appendChild(el("div", "cf-popup-subtitle", p.subtitle));
    if (p.rows && p.rows.length) {
      var table = el("table", "cf-table");
      p.rows.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", null, row[0]));
        var td = el("td", null, row[1]);
        if (row[2]) td.style.color = row[2];
        tr.appendChild(td);
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    return box;
  }

  /* spec: {cluster, searchable, color, weight, opacity, fillOpacity, labels: [...],
   *        points: [{y: lat, x: lon, r: radius, f: fill, c: stroke, t: title, s: subtitle, v: [values]}]}
   * Popup rows pair spec.labels with each point's values; values that are null are left out. */
  cf.pointLayer = function (spec) {
    var group = spec.cluster && L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true })
      : L.featureGroup();
    var labels = spec.labels || [];
    spec.points.forEach(function (p) {
      var marker = L.circleMarker([p.y, p.x], {
        radius: p.r,
        color: p.c || spec.color,
        weight: spec.weight,
        opacity: spec.opacity,
        fillColor: p.f,
        fillOpacity: spec.fillOpacity,
      });
      var tip = p.s ? p.t + " \u00B7 " + p.s : p.t;
      if (tip) marker.bindTooltip(el("span", "cf-tip", tip), { sticky: true });
      marker.bindPopup(function () {
        var rows = [];
        labels.forEach(function (label, i) {
          var v = p.v ? p.v[i] : null;
          if (v !== null && v !== undefined && v !== "") rows.push([label, v]);
        });
        return popupContent({ title: p.t, subtitle: p.s, rows: rows });
      }, { maxWidth: 360 });
      group.addLayer(marker);
      if (spec.searchable) {
        cf.searchIndex.push({ text: [p.t, p.s, p.k].join(" ").toLowerCase(), label: p.t,
                              sub: p.s, marker: marker, group: group });
      }
    });
    return group;
  };

  cf.legend = function (map, spec) {
    var Legend = L.Control.extend({
      options: { position: spec.position || "bottomright" },
      onAdd: function () {
        var box = el("div", "cf-legend leaflet-control");
        if (spec.heading) box.appendChild(el("div", "cf-legend-title", spec.heading));
        spec.items.forEach(function (item) {
          var row = el("div", "cf-legend-row");
          var sym = el("span", "cf-sym cf-sym-" + item.kind);
          if (item.kind === "circle" || item.kind === "fill") {
            sym.style.background = item.color;
            if (item.border) sym.style.borderColor = item.border;
          } else {
            sym.style.borderTopColor = item.color;
          }
          row.appendChild(sym);
          row.appendChild(el("span", "cf-legend-label", item.label));
          box.appendChild(row);
        });
        if (spec.note) box.appendChild(el("div", "cf-legend-note", spec.note));
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    return new Legend().addTo(map);
  };

  cf.title = function (map, spec) {
    var box = el("div", "cf-title");
    box.appendChild(el("div", "cf-title-main", spec.title));
    if (spec.subtitle) box.appendChild(el("div", "cf-title-sub", spec.subtitle));
    L.DomEvent.disableClickPropagation(box);
    map.getContainer().appendChild(box);
    return box;
  };

  cf.fullscreen = function (map, spec) {
    var Full = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var bar = el("div", "leaflet-bar leaflet-control");
        var a = el("a", "cf-fullscreen-button");
        /* static icon (no user data): four corner brackets */
        a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" ' +
          'stroke="#333" stroke-width="2"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';
        a.href = "#";
        a.title = spec.label;
        a.setAttribute("role", "button");
        a.setAttribute("aria-label", spec.label);
        L.DomEvent.on(a, "click", function (ev) {
          L.DomEvent.preventDefault(ev);
          var box = map.getContainer();
          var doc = document;
          if (doc.fullscreenElement) {
            doc.exitFullscreen();
          } else if (box.requestFullscreen && !box.classList.contains("cf-fullscreen")) {
            box.requestFullscreen().catch(function () { box.classList.toggle("cf-fullscreen"); });
          } else {
            box.classList.toggle("cf-fullscreen");
          }
          setTimeout(function () { map.invalidateSize(); }, 200);
        });
        bar.appendChild(a);
        return bar;
      },
    });
    return new Full().addTo(map);
  };

  cf.search = function (map, spec) {
    var Search = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = el("div", "cf-search leaflet-bar leaflet-control");
        var input = el("input", "cf-search-input");
        input.type = "search";
        input.placeholder = spec.placeholder;
        input.setAttribute("aria-label", spec.placeholder);
        var list = el("ul", "cf-search-results");
        box.appendChild(input);
        box.appendChild(list);
        function show(entry) {
          var open = function () { entry.marker.openPopup(); };
          if (!map.hasLayer(entry.group)) map.addLayer(entry.group);
          if (entry.group.zoomToShowLayer) {
            entry.group.zoomToShowLayer(entry.marker, open);
          } else {
            map.setView(entry.marker.getLatLng(), Math.max(map.getZoom(), 12));
            open();
          }
        }
        L.DomEvent.on(input, "input", function () {
          while (list.firstChild) list.removeChild(list.firstChild);
          var q = input.value.trim().toLowerCase();
          if (!q) return;
          var hits = cf.searchIndex.filter(function (e) { return e.text.indexOf(q) >= 0; }).slice(0, spec.limit);
          if (!hits.length) list.appendChild(el("li", "cf-search-none", spec.none));
          hits.forEach(function (entry) {
            var li = el("li", "cf-search-hit", entry.label);
            if (entry.sub) li.appendChild(el("span", "cf-search-sub", entry.sub));
            L.DomEvent.on(li, "click", function () { show(entry); });
            list.appendChild(li);
          });
        });
        L.DomEvent.on(input, "keydown", function (ev) {
          if (ev.key === "Enter" && list.firstChild && list.firstChild.click) list.firstChild.click();
        });
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    return new Search().addTo(map);
  };
})();
