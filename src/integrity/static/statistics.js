// The statistics charts: each figure's numbers (the table under it gives the same) as horizontal bars,
// one group per key, this period against the period before and the same period last year. Clicking a bar
// of this period opens the records it counts, as the table's number does. Without script, the tables stay.
(function () {
  "use strict";
  var COLOURS = ["#9b1c1c", "#b8a48a", "#6b7280"];

  function draw(element) {
    var data = JSON.parse(element.dataset.chart);
    var rows = data.labels.length;
    element.style.height = Math.max(140, rows * 64 + 70) + "px";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: COLOURS,
      aria: { enabled: true },
      legend: { top: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: data.unit ? { type: "value", max: 100, axisLabel: { formatter: "{value}" + data.unit } }
                       : { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", inverse: true, data: data.labels,
        axisLabel: { width: element.clientWidth < 500 ? 96 : 220, overflow: "break", fontSize: 12 }
      },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 16, cursor: i === 0 ? "pointer" : "default" };
      })
    });
    chart.on("click", function (params) {
      var link = data.links[params.dataIndex];
      if (params.seriesIndex === 0 && link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
