// Review charts: the headroom waterfall (budget consumed project by project) and the before/after peak-year
// histogram. Data comes from a json_script element with id "review-chart-data".
document.addEventListener("DOMContentLoaded", function () {
  const data = document.getElementById("review-chart-data");
  if (!data || !window.echarts) return;
  const d = JSON.parse(data.textContent);
  const fall = document.getElementById("review-waterfall");
  if (fall && d.waterfall) {
    const steps = d.waterfall.steps;
    const names = [fall.dataset.start].concat(steps.map(s => s.name));
    const base = [0].concat(steps.map(s => Math.min(s.before, s.after)));
    const bars = [d.waterfall.start].concat(steps.map(s => Math.abs(s.used)));
    echarts.init(fall).setOption({
      tooltip: {trigger: "axis"}, grid: {containLabel: true},
      xAxis: {type: "category", data: names}, yAxis: {type: "value", name: "tce"},
      series: [{type: "bar", stack: "w", data: base, itemStyle: {color: "transparent"}, tooltip: {show: false}},
               {type: "bar", stack: "w", data: bars.map((v, i) => ({value: v, itemStyle: {color: i === 0 ? "#5b8ff9" : "#e8684a"}}))}]});
  }
  const hist = document.getElementById("review-histogram");
  if (hist && d.before) {
    echarts.init(hist).setOption({
      tooltip: {trigger: "axis"}, legend: {data: [hist.dataset.before, hist.dataset.after]}, grid: {containLabel: true},
      xAxis: {type: "category", data: d.before.years}, yAxis: {type: "value"},
      series: [{name: hist.dataset.before, type: "bar", data: d.before.counts},
               {name: hist.dataset.after, type: "bar", data: d.after.counts}]});
  }
});
