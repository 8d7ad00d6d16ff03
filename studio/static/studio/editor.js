// The studio editor: the one validator's messages at each field as the author types, the
// FVM sentence and the interventions' message previews live, and {{variables}} picked up
// from a prompt's body. The server does the work (the same view the form posts to); this
// only posts the form and places the answer.
(function () {
  "use strict";
  var form = document.querySelector("form[data-studio-editor]");
  if (!form) return;
  var timer = null;
  var dirty = false;
  var submitting = false;
  var pending = null;

  function post(extra) {
    var data = new FormData(form);
    Object.keys(extra).forEach(function (key) { data.append(key, extra[key]); });
    pending = new AbortController();
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", signal: pending.signal,
      headers: { "X-Requested-With": "fetch" }
    });
  }

  function place(answer) {
    form.querySelectorAll(".field-error[data-for]").forEach(function (element) {
      var id = element.getAttribute("data-for");
      var message = answer.fields[id] || "";
      element.textContent = message;
      var input = document.getElementById(id);
      if (input) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
    var other = document.getElementById("other-errors");
    if (other) {
      other.textContent = "";
      if (answer.other.length) {
        var list = document.createElement("ul");
        list.className = "errorlist";
        answer.other.forEach(function (text) {
          var item = document.createElement("li");
          item.textContent = text;
          list.appendChild(item);
        });
        other.appendChild(list);
      }
    }
    var sentence = document.getElementById("fvm-sentence");
    if (sentence) sentence.textContent = answer.sentence;
    // The interventions' messages as received: HTML the server rendered (escaped there).
    var previews = document.getElementById("message-previews");
    if (previews && typeof answer.previews === "string") previews.innerHTML = answer.previews;
  }

  function check() {
    return post({ _check: "1" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) place(answer); });
  }

  function sync(targetId) {
    return post({ _sync: "1" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(targetId);
        var old = document.getElementById(targetId);
        if (fresh && old) old.replaceWith(fresh);
      });
  }

  form.addEventListener("input", function (event) {
    dirty = true;
    var target = event.target;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var syncId = target.getAttribute && target.getAttribute("data-sync");
      (syncId ? sync(syncId) : Promise.resolve()).then(check).catch(function () {});
    }, 350);
  });
  form.addEventListener("submit", function () {
    // The form is on its way: a check still waiting or running would only answer late.
    submitting = true;
    clearTimeout(timer);
    if (pending) pending.abort();
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
