// Target list: "select all" for the bulk-change checkboxes and a live count of ticked rows.
// Progressive enhancement only; the list and its bulk form work without JavaScript.
(() => {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) {
    return;
  }
  const boxes = () => Array.from(form.querySelectorAll('input[type="checkbox"][name="ids"]'));
  const all = form.querySelector("[data-select-all]");
  const counter = form.querySelector("[data-bulk-count]");
  const idleText = counter ? counter.textContent : "";

  const refresh = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
    if (counter) {
      const template = counter.dataset.countTemplate || "{n}";
      counter.textContent = ticked ? template.replace("{n}", String(ticked)) : idleText;
    }
  };

  if (all) {
    all.addEventListener("change", () => {
      boxes().forEach((box) => {
        box.checked = all.checked;
      });
      refresh();
    });
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "ids") {
      refresh();
    }
  });
  form.addEventListener("submit", (event) => {
    if (!boxes().some((box) => box.checked)) {
      event.preventDefault();
      window.alert(form.dataset.emptyMessage || "");
    }
  });
  refresh();
})();
