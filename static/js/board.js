// Pipeline board enhancements; every action also works without JavaScript.
// - Dragging a card onto another column opens the card's stage form with that column's stage
//   preselected (the same form its "变更阶段" link opens), so evidence is always asked for.
// - Forms marked data-autosubmit submit themselves when one of their selects changes.
(() => {
  "use strict";

  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement) {
        form.submit();
      }
    });
  });

  const board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  let dragged = null;

  const columnAt = (target) => (target instanceof Element ? target.closest("[data-stage]") : null);
  const clearTargets = () =>
    board.querySelectorAll(".board-drop-target").forEach((el) => el.classList.remove("board-drop-target"));

  board.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest("[data-stage-url]") : null;
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("board-card-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.projectId || "");
  });

  board.addEventListener("dragend", () => {
    if (dragged) {
      dragged.classList.remove("board-card-dragging");
    }
    dragged = null;
    clearTargets();
  });

  board.addEventListener("dragover", (event) => {
    const column = columnAt(event.target);
    if (!dragged || !column || column.dataset.stage === dragged.dataset.currentStage) {
      return;
    }
    event.preventDefault(); // allow the drop
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("board-drop-target")) {
      clearTargets();
      column.classList.add("board-drop-target");
    }
  });

  board.addEventListener("drop", (event) => {
    const column = columnAt(event.target);
    if (!dragged || !column || column.dataset.stage === dragged.dataset.currentStage) {
      return;
    }
    event.preventDefault();
    const url = new URL(dragged.dataset.stageUrl, window.location.href);
    url.searchParams.set("to", column.dataset.stage);
    clearTargets();
    window.location.assign(url.toString());
  });
})();
