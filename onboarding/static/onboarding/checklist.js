// /my/ in the browser: prompts ready to run, Copy, and the FVM form's error summary.
// Without JavaScript the page still works: each prompt's text is today's copyable text.
(function () {
  "use strict";
  // The same placeholder as roles/document_types.py PLACEHOLDER_RE.
  var PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(key, values) {
    try { window.localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* private mode: values live as long as the page */ }
  }

  // A prompt: a field per variable; values kept in this browser only (localStorage, per
  // prompt), never sent: the inputs have no name and sit in no form.
  function setUpPrompt(box) {
    var key = box.getAttribute("data-prompt-key");
    var body = box.getAttribute("data-body") || "";
    var text = box.querySelector("textarea.prompt-text");
    var fields = box.querySelector(".prompt-fields");
    var missingLive = box.querySelector(".prompt-missing-live");
    var missingStatic = box.querySelector("[data-missing-static]");
    if (!text || !fields) { return; }
    var inputs = Array.prototype.slice.call(fields.querySelectorAll("[data-var]"));
    var stored = load(key);
    inputs.forEach(function (input) {
      var name = input.getAttribute("data-var");
      if (Object.prototype.hasOwnProperty.call(stored, name)) { input.value = stored[name]; }
    });
    function labelOf(input) {
      var label = box.querySelector('label[for="' + input.id + '"]');
      return label ? label.childNodes[0].textContent.trim() : input.getAttribute("data-var");
    }
    function render() {
      var values = {};
      var optional = {};
      inputs.forEach(function (input) {
        values[input.getAttribute("data-var")] = input.value;
        optional[input.getAttribute("data-var")] = input.getAttribute("data-required") !== "1";
      });
      // As the server fills it: an empty optional value is left out, an empty needed one
      // stays as {{name}} so it shows what is still to fill in.
      text.value = body.replace(PLACEHOLDER, function (whole, name) {
        if (values[name]) { return values[name]; }
        return optional[name] === true ? "" : whole;
      });
      var missing = inputs.filter(function (input) {
        return input.getAttribute("data-required") === "1" && !input.value.trim();
      }).map(labelOf);
      if (missingLive) {
        missingLive.hidden = missing.length === 0;
        missingLive.textContent = missing.length ? "Still to fill in: " + missing.join("; ") + "." : "";
      }
      return values;
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () {
        var values = render();
        var kept = {};
        inputs.forEach(function (other) {
          var name = other.getAttribute("data-var");
          if (values[name] !== other.getAttribute("data-initial")) { kept[name] = values[name]; }
        });
        save(key, kept);
      });
    });
    fields.hidden = false;
    if (missingStatic) { missingStatic.hidden = true; }
    render();
  }

  function fallbackCopy(textarea) {
    textarea.focus();
    textarea.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function setUpCopy(button) {
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
  }

  // A link to a step inside a folded day or a folded "done" list opens it.
  function reveal(id) {
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    return target;
  }

  document.querySelectorAll("[data-prompt]").forEach(setUpPrompt);
  document.querySelectorAll("button.copy[data-copy-target]").forEach(setUpCopy);
  window.addEventListener("hashchange", function () { reveal(window.location.hash.slice(1)); });
  reveal(window.location.hash.slice(1));

  // After a refused FVM submit: the summary of what to fix has the focus (and so the view).
  var summary = document.getElementById("fvm-errors");
  if (summary) {
    // Again once loaded: scrolling to the #fvm anchor would otherwise take the focus back.
    summary.focus();
    window.addEventListener("load", function () { window.setTimeout(function () { summary.focus(); }, 0); });
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = reveal(link.getAttribute("href").slice(1));
        if (field) { event.preventDefault(); field.focus(); }
      });
    });
  }
})();
