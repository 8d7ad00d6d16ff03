// Live FVM sentence on the role pack version page: mirrors roles.models.fvm_sentence.
(function () {
  "use strict";
  function value(id) {
    var field = document.getElementById(id);
    if (field) return field.value;
    var readonly = document.querySelector(".field-" + id.replace(/^id_/, "") + " .readonly");
    return readonly ? readonly.textContent.trim() : "";
  }
  function sentence() {
    var role = value("id_name");
    var article = /^[aeiou]/i.test(role) ? "An" : "A";
    return article + " " + role.charAt(0).toLowerCase() + role.slice(1) +
      " has reached first value when they have " + value("id_fvm_deliverable") + " in " +
      value("id_fvm_target_minutes") + " minutes instead of " +
      value("id_fvm_baseline_minutes") + ".";
  }
  function update() {
    var preview = document.getElementById("fvm-sentence-preview");
    if (preview) preview.textContent = sentence();
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["id_name", "id_fvm_deliverable", "id_fvm_target_minutes", "id_fvm_baseline_minutes"]
      .forEach(function (id) {
        var field = document.getElementById(id);
        if (field) field.addEventListener("input", update);
      });
    if (document.getElementById("id_name")) update();
  });
})();
