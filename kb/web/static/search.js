// Progressive enhancement: a ticked facet applies at once (the button stays for keyboards
// and for browsers without scripts).
(function () {
  "use strict";
  var form = document.querySelector("aside.facets form");
  if (!form) { return; }
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "checkbox") { form.submit(); }
  });
})();
