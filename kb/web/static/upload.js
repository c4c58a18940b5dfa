// Progressive enhancement for the upload pages: the form works without it.
// 1. Refuse a selection over the size limit before anything is sent.
// 2. On the result page, poll the status of each file until it is searchable.
(function () {
  "use strict";
  var form = document.querySelector("form.upload");
  if (form) {
    var limit = parseInt(form.getAttribute("data-limit-mb"), 10) * 1024 * 1024;
    var input = document.getElementById("files");
    var error = document.getElementById("size-error");
    var fileLimit = parseInt(form.getAttribute("data-file-limit-mb"), 10) * 1024 * 1024;
    var check = function () {
      var total = 0;
      var big = [];
      for (var i = 0; i < input.files.length; i++) {
        total += input.files[i].size;
        if (input.files[i].size > fileLimit) { big.push(input.files[i].name); }
      }
      var message = "";
      if (big.length) {
        message = "Größer als " + form.getAttribute("data-file-limit-mb") +
          " MB pro Datei: " + big.join(", ") + ". Bitte wählen Sie diese Dateien ab.";
      } else if (total > limit) {
        message = "Die ausgewählten Dateien sind zusammen größer als " +
          form.getAttribute("data-limit-mb") + " MB. Bitte wählen Sie weniger oder kleinere Dateien.";
      }
      error.hidden = !message;
      error.textContent = message;
      return !message;
    };
    input.addEventListener("change", check);
    form.addEventListener("submit", function (ev) { if (!check()) { ev.preventDefault(); } });
  }

  var list = document.querySelector("ul.outcomes");
  if (!list) { return; }
  var labels = {
    reading: "gespeichert, der Text wird gelesen …",
    searchable: "durchsuchbar",
    failed: "gespeichert, aber kein Text lesbar: "
  };
  var poll = function () {
    var rows = list.querySelectorAll("li[data-file-id]");
    var ids = [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-done") !== "1") { ids.push(rows[i].getAttribute("data-file-id")); }
    }
    if (!ids.length) { return; }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", list.getAttribute("data-status-url") + "?ids=" + ids.join(","));
    xhr.onload = function () {
      if (xhr.status === 200) {
        var data = JSON.parse(xhr.responseText);
        for (var j = 0; j < data.files.length; j++) {
          var f = data.files[j];
          var row = list.querySelector('li[data-file-id="' + f.id + '"]');
          if (!row) { continue; }
          var text = labels[f.state] + (f.state === "failed" ? f.message : "");
          var state = row.querySelector(".state");
          if (state.textContent.trim() !== text) { state.textContent = text; }
          if (f.state !== "reading") { row.setAttribute("data-done", "1"); }
        }
      }
      window.setTimeout(poll, 1000);
    };
    xhr.onerror = function () { window.setTimeout(poll, 3000); };
    xhr.send();
  };
  poll();
})();
