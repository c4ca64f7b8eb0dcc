// Interactive chain graph (ECharts tree) on top of the same numbers as the column map.
(function () {
  const box = document.getElementById("chain-graph");
  if (!box || typeof echarts === "undefined") {
    return;
  }
  const colours = {
    strong: "#198754", normal: "#0d6efd", weak: "#fd7e14", missing: "#dc3545",
    risk: "#6f42c1", segment: "#6c757d",
  };
  const chart = echarts.init(box);
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      const paint = (node) => {
        node.itemStyle = { color: colours[node.status] || "#adb5bd" };
        (node.children || []).forEach(paint);
        return node;
      };
      chart.setOption({
        tooltip: {
          formatter: (p) => {
            const d = p.data;
            // the tooltip text comes translated from the server (graph.json)
            return echarts.format.encodeHTML(d.tooltip || d.name).replace(/\n/g, "<br>");
          },
        },
        series: [{
          type: "tree", data: [paint(data)], top: "2%", bottom: "2%", left: "8%", right: "20%",
          symbolSize: 12, initialTreeDepth: -1, expandAndCollapse: false,
          label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 13 },
          leaves: { label: { position: "right", align: "left" } },
        }],
      });
    });
  // A click on a chain node opens its panel on the map (segment and chain nodes have no id).
  chart.on("click", (params) => {
    const id = params.data && params.data.id;
    if (!id) { return; }
    const url = new URL(box.dataset.detail, window.location.href);
    url.searchParams.set("node", id);
    url.hash = "node";
    window.location.assign(url.toString());
  });
  window.addEventListener("resize", () => chart.resize());
})();
