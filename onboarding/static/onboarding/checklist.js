// Copy buttons for prompts. Without JavaScript the readonly textarea stays usable.
(function () {
  "use strict";
  function fallbackCopy(textarea) {
    textarea.focus();
    textarea.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
    var textarea = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!textarea) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function (ok) {
        if (status) { status.textContent = ok ? "Copied" : "Select the text above and copy it"; }
        if (!ok) { textarea.focus(); textarea.select(); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(textarea.value).then(
          function () { done(true); },
          function () { done(fallbackCopy(textarea)); }
        );
      } else {
        done(fallbackCopy(textarea));
      }
    });
  });
})();
