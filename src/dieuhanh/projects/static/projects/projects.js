// dieuhanh public investment: draws a project's curve (plan, cumulative disbursement, the schedule's
// pace) and the map of projects from the JSON the page embeds (Django's json_script). Every word
// shown comes from that JSON, already translated; project names are the register's and are only
// ever set as text (textContent), never as HTML. The only fetch is the map's boundaries, from this site.
(function () {
  "use strict";

  var locale = (document.documentElement.lang || "vi").indexOf("en") === 0 ? "en-GB" : "vi-VN";
  var formats = {};
  var ROLES = {
    plan: { color: "#b3261e", type: "dotted", width: 2 },
    pace: { color: "#8a5a00", type: "dashed", width: 2 },
    disbursed: { color: "#0b4f8a", type: "solid", width: 3 }
  };

  function fmt(value, decimals) {
    if (typeof value !== "number" || isNaN(value)) { return "–"; }
    var key = String(decimals);
    if (!formats[key]) {
      formats[key] = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    }
    return formats[key].format(value);
  }

  function toolbox(data) {
    return {
      right: 4,
      top: 0,
      feature: { saveAsImage: { title: data.save, name: data.file, pixelRatio: 2, backgroundColor: "#ffffff" } }
    };
  }

  // Tooltips are DOM text, never HTML strings.
  function tipLines(lines) {
    var box = document.createElement("div");
    lines.forEach(function (text) {
      if (!text) { return; }
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function curveOption(data) {
    return {
      backgroundColor: "transparent",
      toolbox: toolbox(data),
      legend: { top: 0, left: 0, right: 40, type: "scroll" },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return fmt(v, data.decimals) + " " + data.unit; }
      },
      grid: { left: 8, right: 16, top: 64, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.x, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "value",
        name: data.unit,
        nameTextStyle: { align: "left" },
        axisLabel: { formatter: function (v) { return fmt(v, Math.abs(v) >= 100 ? 0 : data.decimals); } }
      },
      series: data.series.map(function (s) {
        var role = ROLES[s.role] || ROLES.disbursed;
        return {
          name: s.name,
          type: "line",
          data: s.data,
          symbol: s.role === "disbursed" ? "circle" : "none",
          connectNulls: false,
          color: role.color,
          lineStyle: { type: role.type, width: role.width },
          step: s.role === "plan" ? "end" : false,
          z: s.role === "disbursed" ? 3 : 2
        };
      })
    };
  }

  function describe(data, item) {
    return tipLines([
      item.name,
      item.code,
      data.status_labels[item.status] || "",
      data.disbursed_label + ": " + item.percent_text
    ]);
  }

  // Without shipped boundaries the projects still sit on a map: an invisible frame around them,
  // registered as a map of its own, keeps the geo projection (a degree of longitude stays as wide
  // as on the other maps) instead of stretching the points over a chart's axes.
  function frameOf(data) {
    var lons = [];
    var lats = [];
    data.items.forEach(function (item) {
      var coords = item.points.slice();
      item.lines.forEach(function (line) { coords = coords.concat(line); });
      coords.forEach(function (c) { lons.push(c[0]); lats.push(c[1]); });
    });
    if (!lons.length) { return null; }
    var pad = 0.02;
    var w = Math.min.apply(null, lons) - pad;
    var e = Math.max.apply(null, lons) + pad;
    var s = Math.min.apply(null, lats) - pad;
    var n = Math.max.apply(null, lats) + pad;
    return {
      type: "FeatureCollection",
      features: [{ type: "Feature", properties: { name: "frame" }, geometry: { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } }]
    };
  }

  function mapOption(data, mapName, framed) {
    var option = {
      backgroundColor: "transparent",
      toolbox: toolbox(data),
      legend: { top: 0, left: 0, right: 40, type: "scroll" },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.data && p.data.item ? describe(data, p.data.item) : tipLines([p.name]); }
      },
      series: []
    };
    var system = "geo";
    option.geo = {
      map: mapName,
      roam: true,
      layoutCenter: ["50%", "52%"],
      layoutSize: "94%",
      itemStyle: framed
        ? { areaColor: "#f7f9fb", borderColor: "#d5dbe1", borderType: "dashed" }
        : { areaColor: "#eef1f4", borderColor: "#6b7785" },
      emphasis: { disabled: true },
      silent: true
    };
    data.status_order.forEach(function (status) {
      var items = data.items.filter(function (i) { return i.status === status; });
      var name = data.status_labels[status];
      var colour = data.status_colours[status];
      var points = [];
      var lines = [];
      items.forEach(function (item) {
        item.points.forEach(function (c) { points.push({ name: item.name, value: [c[0], c[1]], item: item }); });
        item.lines.forEach(function (coords) { lines.push({ name: item.name, coords: coords, item: item }); });
      });
      option.series.push({
        name: name,
        type: "scatter",
        coordinateSystem: system,
        cursor: "pointer",
        symbolSize: 13,
        color: colour,
        itemStyle: { color: colour, borderColor: "#1b1f23", borderWidth: 1 },
        data: points,
        z: 3
      });
      option.series.push({
        name: name,
        type: "lines",
        coordinateSystem: system,
        polyline: true,
        cursor: "pointer",
        color: colour,
        lineStyle: { color: colour, width: 4, opacity: 0.9 },
        data: lines,
        z: 2
      });
    });
    return option;
  }

  var boundaries = {};

  function loadBoundaries(url) {
    if (!url) { return Promise.resolve(null); }
    if (!boundaries[url]) {
      boundaries[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (geo) {
        if (geo.features && geo.features.length) { window.echarts.registerMap(url, geo); }
        return geo;
      });
    }
    return boundaries[url];
  }

  function render(el, data) {
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("click", function (p) {
      var url = p.data && p.data.item && p.data.item.url;
      if (url) { window.location.href = url; }
    });
    if (data.kind === "curve") {
      chart.setOption(curveOption(data), true);
      return;
    }
    var draw = function (geo) {
      if (!el.isConnected || chart.isDisposed()) { return; }
      var hasGeo = Boolean(geo && geo.features && geo.features.length);
      var note = el.parentNode && el.parentNode.querySelector("[data-no-boundaries]");
      if (note) { note.hidden = hasGeo; }
      var name = data.geojson;
      if (!hasGeo) {
        var frame = frameOf(data);
        if (!frame) { return; }
        name = "pi-frame:" + data.file;
        window.echarts.registerMap(name, frame);
      }
      chart.setOption(mapOption(data, name, !hasGeo), true);
      el.setAttribute("data-chart-drawn", "");
    };
    loadBoundaries(data.geojson).then(draw, function () { draw(null); });
  }

  function init() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-pi-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-data"));
      if (!source || el.hasAttribute("data-chart-ready")) { return; }
      el.setAttribute("data-chart-ready", "");
      render(el, JSON.parse(source.textContent));
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart-ready]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart && el.clientWidth > 0 && el.clientHeight > 0) { chart.resize(); }
    });
  });
})();
