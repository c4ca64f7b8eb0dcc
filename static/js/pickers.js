// Search-as-you-type pickers (Tom Select, installed from npm) on <select data-picker>.
// data-picker="URL": options come from that JSON search endpoint ({"results": [{id, text, sub}]});
// it searches names, pinyin and credit codes on the server, through the user's access scope.
// data-picker="" : the select's own options are searched as you type (owners, chain nodes).
// Every form also works without JavaScript: [data-picker-only] blocks stay hidden and the
// [data-picker-fallback] fields (names typed by hand, the plain select) are used instead.
(() => {
  "use strict";
  if (typeof TomSelect === "undefined") {
    return;
  }
  document.querySelectorAll("[data-picker-only]").forEach((el) => {
    el.hidden = false;
  });
  document.querySelectorAll("[data-picker-fallback]").forEach((el) => {
    el.hidden = true;
    el.querySelectorAll("input, select, textarea").forEach((field) => {
      field.disabled = true;
    });
  });

  const remote = (url) => ({
    valueField: "id",
    labelField: "text",
    searchField: [],
    score: () => () => 1, // the server has matched (pinyin, credit code): keep its order
    loadThrottle: 250,
    shouldLoad: (query) => query.trim().length > 0,
    load(query, callback) {
      const address = new URL(url, window.location.href);
      address.searchParams.set("q", query);
      this.clearOptions();
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => callback(data.results || []))
        .catch(() => callback());
    },
  });

  document.querySelectorAll("select[data-picker]").forEach((select) => {
    const noResults = select.dataset.noResults || "";
    const options = {
      maxOptions: 50,
      placeholder: select.dataset.placeholder || "",
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: (_data, escape) => `<div class="no-results">${escape(noResults)}</div>`,
        option: (item, escape) =>
          `<div>${escape(item.text)}${
            item.sub ? `<div class="small text-muted">${escape(item.sub)}</div>` : ""
          }</div>`,
      },
    };
    if (select.dataset.picker) {
      Object.assign(options, remote(select.dataset.picker));
    }
    // eslint-disable-next-line no-new
    new TomSelect(select, options);
    select.dispatchEvent(new CustomEvent("picker:ready", { bubbles: true }));
  });
})();
