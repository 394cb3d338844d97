// Draws the dataset page's chart with the embedded uPlot from the JSON at #chart's data-src (same origin).
(function () {
  'use strict';
  var box = document.getElementById('chart');
  if (!box || typeof uPlot === 'undefined') { return; }
  fetch(box.getAttribute('data-src'), { credentials: 'same-origin' })
    .then(function (r) { if (!r.ok) { throw new Error('chart data: HTTP ' + r.status); } return r.json(); })
    .then(function (d) {
      var colors = ['#4a7fb0', '#3c9a5f', '#d99a2b', '#c44', '#7a5ab0', '#2a9aa6', '#8a6d3b', '#555'];
      var series = [{ label: d.xName }].concat(d.series.map(function (s, i) {
        return { label: s.name, stroke: colors[i % colors.length], width: 2, points: { show: true } };
      }));
      var axes = d.xIsTime ? [{}, {}] : [{ values: function (u, ticks) { return ticks.map(function (t) { return d.xLabels[t] || ''; }); } }, {}];
      var opts = { title: d.measure + ' by ' + d.xName, width: Math.min(900, box.clientWidth || 900), height: 300,
        scales: { x: { time: d.xIsTime } }, series: series, axes: axes };
      var data = [d.x].concat(d.series.map(function (s) { return s.values; }));
      new uPlot(opts, data, box);
      box.setAttribute('data-points', String(d.x.length));
    })
    .catch(function (e) { box.textContent = String(e); box.setAttribute('data-error', 'true'); });
})();
