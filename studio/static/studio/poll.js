// The export page while a push runs on a worker: every 3 seconds, the page is fetched again
// and each waiting panel ([data-poll]) replaced by its fresh copy, until none waits.
(function () {
  "use strict";
  function poll() {
    if (!document.querySelector("[data-poll]")) return;
    setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-poll]").forEach(function (old) {
            var panel = fresh.getElementById(old.id);
            if (panel) old.replaceWith(panel);
          });
          poll();
        })
        .catch(function () {});
    }, 3000);
  }
  poll();
})();
