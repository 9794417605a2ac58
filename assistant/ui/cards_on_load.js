// Body of the sources panel's js_on_load: `element` and `trigger` are given by gr.HTML.
const copyText = async (text) => {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
};
element.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.sa-action") : null;
  if (!button) return;
  const action = button.dataset.action;
  if (action === "copy") {
    const ok = await copyText(button.dataset.citation || "");
    const label = button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = label; }, 1500);
    return;
  }
  trigger("click", { action: action, turn: Number(button.dataset.turn), n: Number(button.dataset.n) });
});
