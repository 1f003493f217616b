/* The planner's map page: draws the groups described by the JSON in #planner-data on folium's
 * Leaflet map.
 * Every text from a user's file arrives as JSON data and is shown with textContent (or escaped
 * for Leaflet's layer control, which sets its labels as HTML); nothing here builds code or
 * markup from data. planner/maps.py writes the data; this file is the same for every map. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('planner-data').textContent);
  /* The map is folium's (planner/map_page.py). No English on a Chinese map: a metric scale
   * bar only (folium shows the tiles' credit line only when there are tiles). */
  var map = window[data.map];
  window.plannerMap = map;
  L.control.scale({imperial: false}).addTo(map);

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function escapeHtml(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  /* A tooltip of "label: value" lines (or plain lines), as DOM nodes. */
  function rowsNode(title, rows) {
    var box = node('div', 'planner-tip');
    if (title !== undefined && title !== null) box.appendChild(node('b', null, title));
    if (rows && rows.length) {
      var table = node('table');
      rows.forEach(function (r) {
        var tr = node('tr');
        tr.appendChild(node('th', null, r[0]));
        tr.appendChild(node('td', null, r[1] === null || r[1] === undefined ? '—' : r[1]));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    return box;
  }

  function featureTip(fields) {
    return function (layer) {
      var p = layer.feature.properties;
      return rowsNode(null, fields.filter(function (f) { return f[0] in p; })
        .map(function (f) { return [f[1], p[f[0]]]; }));
    };
  }

  function drawGeojson(item, group, clicks) {
    var fill = item.fill_by;
    function style(feature) {
      var s = Object.assign({}, item.style);
      if (fill) {
        var v = feature.properties[fill.field];
        s.fillColor = Object.prototype.hasOwnProperty.call(fill.colours, v) ? fill.colours[v] : fill.fallback;
      }
      return s;
    }
    var options = {style: style, interactive: item.interactive !== false};
    if (item.point) {
      options.pointToLayer = function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign({}, item.point, style(feature)));
      };
    }
    var geo = L.geoJSON(item.fc, options);
    if (item.tip && item.interactive !== false) geo.bindTooltip(featureTip(item.tip), {sticky: true});
    if (item.click) clicks.push([item.click, geo]);
    geo.addTo(group);
  }

  function drawPopulation(item, group) {
    var drawn = false;
    function draw(m) {
      if (drawn || !m) return;
      drawn = true;
      var pane = m.getPane('population') || m.createPane('population');
      pane.style.zIndex = 350; pane.style.pointerEvents = 'none';
      var renderer = L.canvas({pane: 'population'});
      var top = Math.max(item.top, 1.0);
      item.cells.forEach(function (c) {
        L.circleMarker([c[0], c[1]], {renderer: renderer, pane: 'population', interactive: false,
          stroke: false, radius: 2.5, fillColor: item.colour,
          fillOpacity: 0.7 * Math.sqrt(Math.min(c[2] / top, 1.0))}).addTo(group);
      });
    }
    group.on('add', function (e) { draw(e.target._map); });
    return draw;
  }

  var drawers = {
    label: function (item, group) {
      L.marker([item.lat, item.lon], {interactive: false,
        icon: L.divIcon({html: node('div', item.cls || 'planner-label', item.text), className: '', iconSize: [0, 0]})
      }).addTo(group);
    },
    star: function (item, group) {
      var star = node('div', 'planner-star', '\u2605');
      star.style.color = item.colour;
      L.marker([item.lat, item.lon], {icon: L.divIcon({html: star, className: '', iconSize: [0, 0]})})
        .bindTooltip(rowsNode(item.tip)).addTo(group);
    },
    line: function (item, group) {
      var line = L.polyline(item.path, {color: item.colour, weight: item.weight || 3,
        opacity: item.opacity || 0.8, interactive: item.tip !== undefined});
      if (item.tip !== undefined) line.bindTooltip(rowsNode(item.tip), {sticky: true});
      line.addTo(group);
    },
    circle: function (item, group) {
      var marker = L.circleMarker([item.lat, item.lon], {radius: item.radius, color: item.stroke,
        weight: item.weight, fill: true, fillColor: item.colour, fillOpacity: item.fill_opacity});
      if (item.tip !== undefined) marker.bindTooltip(rowsNode(item.tip));
      if (item.popup) marker.bindPopup(rowsNode(item.popup.title, item.popup.rows), {maxWidth: 320});
      marker.addTo(group);
    }
  };

  var groups = {}, overlays = {}, clicks = [], pending = [];
  data.groups.forEach(function (g) {
    var group = L.featureGroup().addTo(map);
    groups[g.key] = group;
    overlays[escapeHtml(g.label)] = group;
    g.items.forEach(function (item) {
      if (item.t === 'geojson') drawGeojson(item, group, clicks);
      else if (item.t === 'population') pending.push(drawPopulation(item, group));
      else drawers[item.t](item, group);
    });
  });
  pending.forEach(function (draw) { draw(map); });
  if (data.layer_control) L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  if (data.bounds) map.fitBounds(data.bounds);

  if (data.legend) {
    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () {
      var box = node('div', 'planner-legend');
      box.appendChild(node('b', null, data.legend.title));
      (data.legend.lines || []).forEach(function (line) {
        box.appendChild(node('br'));
        box.appendChild(node('span', 'planner-legend-run', line));
      });
      if (data.legend.swatches) {
        box.appendChild(node('br'));
        data.legend.swatches.forEach(function (c) {
          var s = node('span', 'planner-swatch'); s.style.background = c; box.appendChild(s);
        });
        box.appendChild(node('br'));
        box.appendChild(node('span', 'planner-scale', '0%\u00a0\u00a0\u00a0\u00a0\u00a0\u00a050%\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0100%'));
      }
      return box;
    };
    legend.addTo(map);
  }
  if (data.title) document.title = data.title;

  window.plannerGroups = groups;
  window.plannerSetVisible = function (key, on) {
    var g = groups[key];
    if (!g) return false;
    if (on) { map.addLayer(g); } else { map.removeLayer(g); }
    return true;
  };
  window.plannerVisible = function (key) {
    var g = groups[key];
    return !!g && map.hasLayer(g);
  };
  function plannerPost(layer, id) {
    console.log(data.select_prefix + JSON.stringify({layer: layer, id: String(id)}));
  }
  clicks.forEach(function (c) {
    c[1].on('click', function (e) { plannerPost(c[0], e.layer.feature.properties._key); });
  });
})();
