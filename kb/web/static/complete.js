// Completions for the search box through a <datalist>: the browser renders and announces
// the choices itself, so keyboard and screen-reader use need no custom widget.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-completions");
  if (!input || !list || !input.getAttribute("data-complete-url")) { return; }
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
      };
      xhr.send();
    }, 200);
  });
})();
