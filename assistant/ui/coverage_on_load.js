// Body of the coverage bridge's js_on_load (`element`, `trigger` given by gr.HTML): a click on a
// heat-map cell (plotly_click) and the buttons of the cell's citation cards go to the server.
const hook = () => {
  const gd = document.querySelector("#sa-coverage-plot .js-plotly-plot");
  if (!gd || gd.__saHooked || typeof gd.on !== "function") return;
  gd.__saHooked = true;
  gd.on("plotly_click", (data) => {
    const p = data && data.points && data.points[0];
    if (!p) return;
    const key = Array.isArray(p.customdata) ? p.customdata[0] : p.customdata;
    trigger("click", { action: "cell", key: String(key || ""), theme: String(p.x) });
  });
};
new MutationObserver(hook).observe(document.body, { childList: true, subtree: true });
hook();
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("#sa-coverage-cards button.sa-action") : null;
  if (!button) return;
  const action = button.dataset.action;
  if (action === "copy") {
    navigator.clipboard && navigator.clipboard.writeText(button.dataset.citation || "");
    return;
  }
  trigger("click", { action: action, n: Number(button.dataset.n) });
});
