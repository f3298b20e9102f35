/* Pipeline board: drag a card to another column to move it (SortableJS + htmx).
   Every card also has a plain form with a stage menu and a button, so the board works
   with the keyboard and without JavaScript; this only adds the mouse/touch shortcut. */
(function () {
  "use strict";

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function enableDragAndDrop(root) {
    root.querySelectorAll("ul.cards[data-stage][data-draggable]").forEach(function (list) {
      if (list.dataset.sortableReady) {
        return;
      }
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        group: "pipeline",
        animation: 150,
        draggable: "li.card",
        // Controls inside a card keep working; only the card itself is a handle.
        filter: "input, select, button, a, label, textarea",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to) {
            return;
          }
          var params = new URLSearchParams(window.location.search);
          htmx.ajax("POST", event.item.dataset.moveUrl, {
            target: "#board",
            swap: "outerHTML",
            values: {
              to_stage: event.to.dataset.stage,
              q: params.get("q") || "",
              stage: params.get("stage") || "",
              offset: params.get("offset") || ""
            },
            headers: { "X-CSRFToken": csrfToken() }
          });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableDragAndDrop(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    enableDragAndDrop(document);
  });
})();
