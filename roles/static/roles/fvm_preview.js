// Live FVM sentence on the role pack version page: mirrors roles/sentences.py (the rule is
// in its docstring; tests/templates_library/test_pack_admin.py runs both on the same names).
(function () {
  "use strict";
  var AN_LETTERS = "AEFHILMNORSX";
  var CONSONANT_SOUND = /^(uni|use|usu|uti|ure|euro?|eu|one\b|once\b|ubiq)/i;
  var VOWEL_SOUND = /^(hour|honest|honou?r|heir)/i;
  var FIRST_WORD = /^[^\s\/\-–(]+/;
  function value(id) {
    var field = document.getElementById(id);
    if (field) return field.value;
    var readonly = document.querySelector(".field-" + id.replace(/^id_/, "") + " .readonly");
    return readonly ? readonly.textContent.trim() : "";
  }
  function firstWord(text) {
    var match = FIRST_WORD.exec(text.trim());
    return match ? match[0] : "";
  }
  function isAcronym(word) {
    var letters = word.replace(/[^A-Za-z]/g, "");
    return letters.length >= 2 && letters === letters.toUpperCase();
  }
  function article(phrase) {
    var word = firstWord(phrase);
    if (!word) return "a";
    if (isAcronym(word) || (word.length === 1 && word === word.toUpperCase())) {
      return AN_LETTERS.indexOf(word.charAt(0).toUpperCase()) >= 0 ? "an" : "a";
    }
    if (VOWEL_SOUND.test(word)) return "an";
    if (CONSONANT_SOUND.test(word)) return "a";
    return /^[aeiou]/i.test(word) ? "an" : "a";
  }
  function rolePhrase(role) {
    role = role.trim();
    var word = firstWord(role);
    var rest = word.slice(1);
    if (word.length > 1 && /^[A-Z]/.test(word) && rest === rest.toLowerCase()) {
      return role.charAt(0).toLowerCase() + role.slice(1);
    }
    return role;
  }
  function subject() {
    var own = value("id_fvm_subject").trim();
    if (!own) {
      var phrase = rolePhrase(value("id_name"));
      own = article(phrase) + " " + phrase;
    }
    return own.charAt(0).toUpperCase() + own.slice(1);
  }
  function sentence() {
    return subject() + " has reached first value when they have " +
      value("id_fvm_deliverable") + " in " + value("id_fvm_target_minutes") +
      " minutes instead of " + value("id_fvm_baseline_minutes") + ".";
  }
  function update() {
    var preview = document.getElementById("fvm-sentence-preview");
    if (preview) preview.textContent = sentence();
  }
  window.firstvalueFvmSentence = sentence;
  document.addEventListener("DOMContentLoaded", function () {
    ["id_name", "id_fvm_subject", "id_fvm_deliverable", "id_fvm_target_minutes",
      "id_fvm_baseline_minutes"].forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.addEventListener("input", update);
    });
    if (document.getElementById("id_name")) update();
  });
})();
