// dieuhanh charts: turns the JSON a page embeds (Django's json_script) into ECharts charts and maps.
// Every word shown comes from that JSON, already translated; numbers are formatted in the page's
// language. No outside request: the only fetch is the map's boundaries, from this site.
(function () {
  "use strict";

  var locale = (document.documentElement.lang || "vi").indexOf("en") === 0 ? "en-GB" : "vi-VN";
  var numberFormats = {};
  var boundaries = {};
  var COLOURS = {
    value: "#0b4f8a",
    previous: "#8a5a00",
    plan: "#b3261e",
    projection: "#12672b",
    none: "#d5dbe1",
    break: "#5b4a8a"
  };
  // Status colours and their order come with each map's JSON, from the one palette on the server.

  function fmt(value, decimals) {
    if (value === null || value === undefined || typeof value !== "number" || isNaN(value)) {
      return "–";
    }
    var key = String(decimals);
    if (!numberFormats[key]) {
      numberFormats[key] = new Intl.NumberFormat(locale, {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals
      });
    }
    return numberFormats[key].format(value);
  }

  function signed(value) {
    var text = fmt(value, 1);
    return typeof value === "number" && value > 0.05 ? "+" + text : text;
  }

  // Axis ticks: whole numbers once the figures are large, else the indicator's decimals.
  function tick(decimals) {
    return function (value) {
      return fmt(value, Math.abs(value) >= 100 ? 0 : decimals);
    };
  }

  function toolbox(data, dark) {
    return {
      right: 4,
      top: 0,
      feature: {
        saveAsImage: {
          title: data.save,
          name: data.file,
          pixelRatio: 2,
          backgroundColor: dark ? "#0d1620" : "#ffffff"
        }
      }
    };
  }

  // Tooltips are built as DOM text, never as HTML strings: unit names are the catalogue's, not ours.
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

  // A day the map changed (1/7/2025: the re-organisation of administrative units): a vertical line
  // at the period it falls in, labelled, drawn with the first series. The days come from the server.
  function addBreaks(option, data) {
    if (!data.breaks || !data.breaks.length || !option.series.length) { return; }
    option.series[0].markLine = {
      silent: true,
      symbol: "none",
      animation: false,
      lineStyle: { type: "solid", color: COLOURS.break, width: 1.5 },
      label: {
        show: true,
        position: "insideEndTop",
        color: COLOURS.break,
        formatter: function (p) { return p.name; }
      },
      data: data.breaks.map(function (b) { return { name: b.label, xAxis: data.x[b.index] }; })
    };
  }

  function roleColour(role) {
    return COLOURS[role] || COLOURS.value;
  }

  function lineSeries(data) {
    return data.series
      .filter(function (s) { return s.data.length; })
      .map(function (s) {
        var line = { width: s.role === "value" ? 2.5 : 2 };
        if (s.role === "previous") { line.type = "dashed"; }
        if (s.role === "plan") { line.type = "dotted"; }
        return {
          name: s.name,
          type: "line",
          data: s.data,
          symbol: "none",
          connectNulls: false,
          color: roleColour(s.role),
          lineStyle: line,
          z: s.role === "value" ? 3 : 2
        };
      });
  }

  function lineOption(data, dark) {
    return {
      backgroundColor: "transparent",
      color: data.series.map(function (s) { return roleColour(s.role); }),
      toolbox: toolbox(data, dark),
      legend: { top: 0, left: 0, right: 40, type: "scroll" },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return fmt(v, data.decimals) + (data.unit ? " " + data.unit : ""); }
      },
      grid: { left: 8, right: 16, top: 44, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.x, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: tick(data.decimals) } },
      series: lineSeries(data)
    };
  }

  var builders = {};

  builders.trend = function (data, dark) {
    var option = lineOption(data, dark);
    option.grid.bottom = 44;
    option.dataZoom = [{ type: "inside" }, { type: "slider", height: 18, bottom: 6 }];
    addBreaks(option, data);
    return option;
  };

  builders.cumulative = function (data, dark) {
    var option = lineOption(data, dark);
    option.xAxis.boundaryGap = true;
    if (data.projection && data.projection.value !== null) {
      option.series.push({
        name: data.projection.name,
        type: "scatter",
        symbol: "diamond",
        symbolSize: 14,
        color: COLOURS.projection,
        data: [[data.x.length - 1, data.projection.value]],
        label: {
          show: true,
          position: "left",
          formatter: function (p) { return fmt(p.value[1], data.decimals); }
        }
      });
    }
    addBreaks(option, data);
    return option;
  };

  builders.ranking = function (data, dark, el) {
    var items = data.items.slice();
    el.style.height = Math.max(220, items.length * 30 + 70) + "px";
    return {
      backgroundColor: "transparent",
      toolbox: toolbox(data, dark),
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var item = items[p.dataIndex] || {};
          return tipLines([p.name + ": " + fmt(p.value, data.decimals) + (data.unit ? " " + data.unit : ""), item.note]);
        }
      },
      grid: { left: 8, right: 72, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: tick(data.decimals), hideOverlap: true } },
      yAxis: {
        type: "category",
        inverse: true,
        data: items.map(function (i) { return (i.rank ? i.rank + ". " : "") + i.label; })
      },
      series: [{
        type: "bar",
        color: COLOURS.value,
        cursor: "pointer",
        data: items.map(function (i) { return { value: i.value, url: i.url, code: i.code }; }),
        label: {
          show: true,
          position: "right",
          formatter: function (p) {
            var item = items[p.dataIndex] || {};
            return fmt(p.value, data.decimals) + (item.rebased && data.rebased_label ? " · " + data.rebased_label : "");
          }
        }
      }]
    };
  };

  function measureOf(data, key) {
    return data.measures.filter(function (x) { return x.key === key; })[0] || { key: key, kind: "number", unit: "" };
  }

  function measureValue(data, item, measure) {
    if (measure === "status") {
      var position = data.status_order.indexOf(item.status);
      return position < 0 ? null : position;
    }
    var value = item.values[measure];
    return typeof value === "number" ? value : null;
  }

  function visualMap(data, measure, dark, dimension) {
    var values = data.items
      .map(function (i) { return measureValue(data, i, measure); })
      .filter(function (v) { return typeof v === "number"; });
    var about = measureOf(data, measure);
    var base = {
      left: 4,
      bottom: 4,
      calculable: false,
      textStyle: { color: dark ? "#e8edf2" : "#1b1f23", fontSize: dark ? 18 : 12 },
      itemWidth: dark ? 22 : 14,
      itemHeight: dark ? 22 : 14,
      outOfRange: { color: COLOURS.none }
    };
    if (dimension !== undefined) { base.dimension = dimension; base.seriesIndex = 0; }
    if (measure === "status") {
      return Object.assign(base, {
        type: "piecewise",
        pieces: data.status_order.map(function (key, position) {
          return { value: position, label: data.status_labels[key], color: data.status_colours[key] };
        })
      });
    }
    var low = values.length ? Math.min.apply(null, values) : 0;
    var high = values.length ? Math.max.apply(null, values) : 1;
    var colours = ["#d6e6f5", "#5b9bd5", "#0b3d70"];
    if (about.kind === "change") {
      var reach = Math.max(Math.abs(low), Math.abs(high), 1);
      low = -reach;
      high = reach;
      colours = data.lower_is_better ? ["#1b7a3a", "#f4f4f4", "#c62828"] : ["#c62828", "#f4f4f4", "#1b7a3a"];
    } else if (about.kind === "share") {
      colours = ["#fbe3c8", "#8cc79a", "#0e5222"];
    }
    if (low === high) { high = low + 1; }
    var end = function (v) {
      if (about.kind === "change") { return signed(v) + (about.unit === "%" ? "%" : " " + about.unit); }
      if (about.kind === "share") { return fmt(v, 1) + "%"; }
      return fmt(v, Math.abs(v) >= 100 ? 0 : data.decimals);
    };
    return Object.assign(base, {
      type: "continuous",
      min: low,
      max: high,
      inRange: { color: colours },
      itemHeight: dark ? 200 : 120,
      text: [end(high), end(low)]
    });
  }

  // The texts are the server's, written by the one module that writes every figure.
  function describe(data, item, measure) {
    var about = measureOf(data, measure);
    var shown = item.texts[measure] || data.no_data;
    if (about.kind === "number" && item.texts[measure] !== "–" && about.unit) { shown += " " + about.unit; }
    return tipLines([
      item.label,
      (about.label || "") + ": " + shown,
      item.partial ? item.partial + " " + data.partial_label : "",
      item.notes ? item.notes[measure] : ""
    ]);
  }

  function mapOption(data, geo, measure, dark) {
    var name = data.geojson;
    var option = {
      backgroundColor: "transparent",
      toolbox: toolbox(data, dark),
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.data && p.data.item ? describe(data, p.data.item, measure) : tipLines([p.name]); }
      }
    };
    var labelColour = dark ? "#ffffff" : "#1b1f23";
    if (data.mode === "choropleth") {
      option.visualMap = visualMap(data, measure, dark);
      option.series = [{
        type: "map",
        map: name,
        roam: false,
        layoutCenter: ["50%", "50%"],
        layoutSize: "94%",
        selectedMode: false,
        cursor: "pointer",
        itemStyle: { areaColor: COLOURS.none, borderColor: dark ? "#0d1620" : "#ffffff", borderWidth: 1 },
        label: {
          show: true,
          color: labelColour,
          textBorderColor: dark ? "#0d1620" : "#ffffff",
          textBorderWidth: 3,
          fontSize: dark ? 20 : 12,
          formatter: function (p) { return p.data && p.data.item ? p.data.item.short : ""; }
        },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffbf47" } },
        data: data.items.map(function (i) {
          return { name: i.code, value: measureValue(data, i, measure), item: i };
        })
      }];
      return option;
    }
    var points = data.items.filter(function (i) { return i.lat !== null && i.lon !== null; });
    var hasOutline = geo && geo.features && geo.features.length;
    option.visualMap = visualMap(data, measure, dark, 2);
    var scatter = {
      type: "scatter",
      cursor: "pointer",
      symbolSize: dark ? 22 : 16,
      itemStyle: { borderColor: dark ? "#0d1620" : "#1b1f23", borderWidth: 1 },
      label: {
        show: points.length <= 25,
        position: "right",
        color: labelColour,
        fontSize: dark ? 14 : 10,
        formatter: function (p) { return p.data.item.short; }
      },
      data: points.map(function (i) {
        return { name: i.label, value: [i.lon, i.lat, measureValue(data, i, measure)], item: i };
      })
    };
    if (hasOutline) {
      option.geo = {
        map: name,
        roam: false,
        silent: true,
        layoutCenter: ["50%", "50%"],
        layoutSize: "94%",
        itemStyle: { areaColor: dark ? "#1c2a38" : "#eef1f4", borderColor: dark ? "#8da2b5" : "#6b7785" }
      };
      scatter.coordinateSystem = "geo";
    } else {
      option.xAxis = { type: "value", scale: true, show: false };
      option.yAxis = { type: "value", scale: true, show: false };
    }
    option.series = [scatter];
    return option;
  }

  function loadBoundaries(url) {
    if (!boundaries[url]) {
      boundaries[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (geo) {
        if (geo.features && geo.features.length) { window.echarts.registerMap(url, geo); }
        return geo;
      });
      boundaries[url].catch(function () { delete boundaries[url]; });
    }
    return boundaries[url];
  }

  // A unit chosen on a chart opens like a link: within the page under htmx, else by navigation.
  function open(url) {
    var result = document.getElementById("result");
    if (window.htmx && result) {
      window.htmx.ajax("GET", url, { target: result, swap: "innerHTML" });
    } else {
      window.location.href = url;
    }
  }

  function onClick(chart) {
    chart.on("click", function (p) {
      var url = p.data && (p.data.url || (p.data.item && p.data.item.url));
      if (url) { open(url); }
    });
  }

  function render(el, data) {
    var dark = el.getAttribute("data-chart-theme") === "dark";
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    if (data.kind === "map") {
      var measure = el.getAttribute("data-measure") || data.measure;
      if (data.mode === "none") { return; }
      var draw = function (geo) {
        if (!el.isConnected || chart.isDisposed()) { return; }
        if (!hasRoom(el)) {
          // Drawn when the chart has room again (see resize).
          el.setAttribute("data-chart-stale", "");
          return;
        }
        el.removeAttribute("data-chart-stale");
        chart.setOption(mapOption(data, geo, measure, dark), true);
      };
      loadBoundaries(data.geojson).then(draw, function () { draw(null); });
    } else {
      chart.setOption(builders[data.kind](data, dark, el), true);
      chart.resize();
    }
    if (!el.hasAttribute("data-chart-ready")) {
      onClick(chart);
      el.setAttribute("data-chart-ready", "");
    }
  }

  function dataOf(el) {
    var source = document.getElementById(el.getAttribute("data-chart-data"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function init(root) {
    if (!window.echarts) { return; }
    var scope = root && root.querySelectorAll ? root : document;
    var found = scope.matches && scope.matches("[data-chart]") ? [scope] : [];
    found = found.concat(Array.prototype.slice.call(scope.querySelectorAll("[data-chart]")));
    found.forEach(function (el) {
      // A hidden chart has no size to draw in; whoever shows it calls init again.
      if (el.offsetParent === null || el.hasAttribute("data-chart-ready")) { return; }
      var data = dataOf(el);
      if (data) { render(el, data); }
    });
  }

  function dispose(root) {
    if (!window.echarts || !root || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-chart-ready]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.dispose(); }
      el.removeAttribute("data-chart-ready");
    });
  }

  // A map laid out in no room has no inverse transform, and ECharts throws while laying it out.
  // A window can shrink to nothing for a moment (minimised, a full-page capture), so a map is only
  // drawn or resized with room, and one that missed its turn is drawn when the room comes back.
  function hasRoom(el) {
    return el.clientWidth > 0 && el.clientHeight > 0;
  }

  function resize(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart-ready]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (!chart || !hasRoom(el)) { return; }
      var data = el.hasAttribute("data-chart-stale") ? dataOf(el) : null;
      if (data) {
        render(el, data);
      }
      chart.resize();
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-map-measure]");
    if (!select) { return; }
    event.stopPropagation();
    var el = document.getElementById(select.getAttribute("data-map-measure"));
    if (!el) { return; }
    el.setAttribute("data-measure", select.value);
    var data = dataOf(el);
    if (data) { render(el, data); }
  }, true);

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A failed request is not swapped: its charts stay, so only dispose of what is replaced.
    if (event.detail.shouldSwap) { dispose(event.detail.target); }
  });
  window.addEventListener("resize", function () { resize(document); });

  window.dhCharts = { init: init, resize: resize, dispose: dispose, format: fmt };
})();
