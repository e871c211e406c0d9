/* Department → province → district: fills the next list from /servicios/ubigeo/<code>.json so
   the citizen need not press "Mostrar provincias/distritos" (the page works without this). */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".ubigeo[data-ubigeo]");
  if (!boxes.length || !window.fetch) return;
  document.documentElement.className += " js";
  function reset(select, text) {
    select.options.length = 0;
    select.add(new Option(text, ""));
  }
  Array.prototype.forEach.call(boxes, function (box) {
    var url = box.getAttribute("data-ubigeo");
    var dep = box.querySelector("[data-part=department]");
    var prov = box.querySelector("[data-part=province]");
    var dist = box.querySelector("[data-part=district]");
    if (!url || !dep || !prov || !dist) return;
    function fill(source, target, after) {
      var code = source.value;
      reset(target, code ? "…" : target.options[0].text);
      if (after) reset(after, after.options[0].text);
      if (!code) return;
      fetch(url + encodeURIComponent(code) + ".json", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          reset(target, "Elige");
          rows.forEach(function (row) { target.add(new Option(row[1], row[0])); });
        })
        .catch(function () { reset(target, "No se pudo cargar: pulsa Continuar"); });
    }
    dep.addEventListener("change", function () { fill(dep, prov, dist); });
    prov.addEventListener("change", function () { fill(prov, dist, null); });
  });
})();
