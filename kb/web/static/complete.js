// Completions for the search box through a <datalist>: the browser renders and announces
// the choices itself, so keyboard and screen-reader use need no custom widget. How many
// there are is said in a polite live region (its texts come from the page, translated).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-completions");
  var count = document.getElementById("q-completions-count");
  if (!input || !list || !input.getAttribute("data-complete-url")) { return; }
  function announce(n) {
    if (!count) { return; }
    var key = n === 0 ? "data-none" : (n === 1 ? "data-one" : "data-many");
    count.textContent = (count.getAttribute(key) || "").replace("{n}", String(n));
  }
  var timer = null, last = "";
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var value = input.value;
      if (value === last || value.length < 3) { return; }
      last = value;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", input.getAttribute("data-complete-url") + "?q=" + encodeURIComponent(value));
      xhr.onload = function () {
        if (xhr.status !== 200) { return; }
        var data = JSON.parse(xhr.responseText);
        while (list.firstChild) { list.removeChild(list.firstChild); }
        for (var i = 0; i < data.completions.length; i++) {
          var option = document.createElement("option");
          option.value = data.completions[i];
          list.appendChild(option);
        }
        announce(data.completions.length);
      };
      xhr.send();
    }, 200);
  });
})();
