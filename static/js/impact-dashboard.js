// Charts of the impact dashboard (Chart.js, served from static/vendor). The
// same figures are in the tables next to each chart: the text alternative.
(function () {
  "use strict";
  var node = document.getElementById("impact-chart-data");
  if (!node || !window.Chart) return;
  var data = JSON.parse(node.textContent);
  var colours = ["#1f5f99", "#b35900", "#2e7d32"];
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new window.Chart(canvas, config);
  }
  draw("chart-series", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: ["views", "downloads", "leads"].map(function (name, i) {
        return { label: data.series_names[name], data: data.series[name], borderColor: colours[i],
                 backgroundColor: colours[i], tension: 0.2, pointRadius: 0 };
      })
    },
    options: { animation: false, interaction: { mode: "index", intersect: false } }
  });
  draw("chart-win", {
    type: "bar",
    data: {
      labels: data.win.labels,
      datasets: [
        { label: data.win.names["with"], data: data.win["with"], backgroundColor: colours[0] },
        { label: data.win.names.without, data: data.win.without, backgroundColor: colours[1] }
      ]
    },
    options: { animation: false, scales: { y: { beginAtZero: true, max: 100,
               ticks: { callback: function (v) { return v + " %"; } } } } }
  });
  if (data.stories.length) {
    draw("chart-stories", {
      type: "bar",
      data: {
        labels: data.stories,
        datasets: [
          { label: data.story_names.leads, data: data.story_leads, backgroundColor: colours[0] },
          { label: data.story_names.won, data: data.story_won, backgroundColor: colours[2] }
        ]
      },
      options: { animation: false, indexAxis: "y" }
    });
  }
})();
