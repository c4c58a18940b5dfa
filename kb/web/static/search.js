// Progressive enhancement: a ticked facet applies at once (the button stays for keyboards
// and for browsers without scripts).
(function () {
  "use strict";
  var form = document.querySelector("form.facet-form");
  if (form) {
    form.addEventListener("change", function (ev) {
      if (ev.target && ev.target.type === "checkbox") { form.submit(); }
    });
  }
})();
