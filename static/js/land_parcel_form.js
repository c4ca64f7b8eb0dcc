/* The parcel registration form opened from the map (?drawn=1): the outline just drawn waits in
   this tab's session storage (land_map.js); put it in the hidden field and show that it will be
   saved with the parcel. An outline the server sent back (a form with errors) is kept as is. */
(function () {
  "use strict";
  var KEY = "land-drawn-outline";
  var input = document.getElementById("polygon");
  var note = document.getElementById("drawn-outline");
  var form = document.querySelector("[data-testid=parcel-form]");
  if (!input || !note || !form || new URLSearchParams(window.location.search).get("drawn") !== "1") {
    return;
  }
  var drawn = null;
  try {
    drawn = window.sessionStorage.getItem(KEY);
  } catch (error) {
    drawn = null;
  }
  if (drawn && !input.value) {
    input.value = drawn;
  }
  if (input.value) {
    note.hidden = false;
  }
  form.addEventListener("submit", function () {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch (error) {
      // storage unavailable: nothing to clear
    }
  });
})();
