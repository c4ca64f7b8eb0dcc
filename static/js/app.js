// Light progressive enhancement only; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Filter panels marked data-fold-on-phone are open in the markup (so they work without
// JavaScript) and fold on a phone-sized screen, behind their summary button.
if (window.matchMedia("(max-width: 767.98px)").matches) {
  document.querySelectorAll("details[data-fold-on-phone]").forEach((details) => {
    details.removeAttribute("open");
  });
}
