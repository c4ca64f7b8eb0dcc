// Import progress: poll the batch's JSON progress and reload the page when it has finished.
// The page works without JavaScript too (a "refresh" link); CSP allows no inline scripts.
(() => {
  const box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const url = box.getAttribute("data-progress-url");
  const labels = {
    validating: box.getAttribute("data-text-validating"),
    writing: box.getAttribute("data-text-writing"),
  };
  const rows = box.getAttribute("data-text-rows");

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const state = await response.json();
        if (state.finished) {
          window.location.reload();
          return;
        }
        bar.value = state.percent;
        const total = state.total ? ` / ${state.total}` : "";
        text.textContent = `${labels[state.phase] || ""} ${state.done}${total} ${rows} (${state.percent}%)`;
      }
    } catch (error) {
      // a network hiccup: try again on the next tick
    }
    window.setTimeout(poll, 1500);
  }

  window.setTimeout(poll, 1000);
})();
