// Progressive enhancement for the upload pages: the form works without it.
// 1. Refuse a selection over the size limits before anything is sent.
// 2. Drag and drop onto the file field's box.
// 3. Send one file per request with a progress bar each; the server answers with the
//    same result row the plain form would show, which is put into the page.
// 4. Poll the status of each stored file until it is searchable.
(function () {
  "use strict";

  var labels = {
    reading: "gespeichert, der Text wird gelesen …",
    searchable: "durchsuchbar",
    failed: "gespeichert, aber kein Text lesbar: "
  };

  var poll = function (list) {
    var rows = list.querySelectorAll("li[data-file-id]");
    var ids = [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-done") !== "1") { ids.push(rows[i].getAttribute("data-file-id")); }
    }
    if (!ids.length) { list.removeAttribute("data-polling"); return; }
    list.setAttribute("data-polling", "1");
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
      window.setTimeout(function () { poll(list); }, 1000);
    };
    xhr.onerror = function () { window.setTimeout(function () { poll(list); }, 3000); };
    xhr.send();
  };
  var startPolling = function (list) {
    if (list.getAttribute("data-polling") !== "1") { poll(list); }
  };

  var form = document.querySelector("form.upload");
  var resultList = document.querySelector("ul.outcomes");
  if (!form) {
    if (resultList) { startPolling(resultList); }  // the plain form's result page
    return;
  }

  var limit = parseInt(form.getAttribute("data-limit-mb"), 10) * 1024 * 1024;
  var fileLimit = parseInt(form.getAttribute("data-file-limit-mb"), 10) * 1024 * 1024;
  var input = document.getElementById("files");
  var error = document.getElementById("size-error");
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

  // Per-file title and kind, adjustable before sending (after sending: the item's edit page).
  var perFile = document.getElementById("per-file");
  var kindSelect = document.getElementById("kind");
  var stem = function (name) { return name.replace(/\.[^.]+$/, "").replace(/_/g, " "); };
  var showPerFile = function () {
    if (!perFile) { return; }
    var list = perFile.querySelector("ol");
    list.textContent = "";
    perFile.hidden = input.files.length < 2;
    if (perFile.hidden) { return; }  // one file: the fields below are its own
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      label.setAttribute("for", "pf-title-" + i);
      label.textContent = "Titel für " + input.files[i].name;
      var title = document.createElement("input");
      title.type = "text";
      title.id = "pf-title-" + i;
      title.maxLength = 500;
      title.value = stem(input.files[i].name);
      var kindLabel = document.createElement("label");
      kindLabel.setAttribute("for", "pf-kind-" + i);
      kindLabel.textContent = "Art";
      var kind = kindSelect.cloneNode(true);
      kind.id = "pf-kind-" + i;
      kind.removeAttribute("name");
      kind.value = kindSelect.value;
      li.appendChild(label);
      li.appendChild(title);
      li.appendChild(kindLabel);
      li.appendChild(kind);
      list.appendChild(li);
    }
  };
  input.addEventListener("change", showPerFile);
  kindSelect.addEventListener("change", function () {
    var selects = perFile ? perFile.querySelectorAll("select") : [];
    for (var i = 0; i < selects.length; i++) { selects[i].value = kindSelect.value; }
  });

  var zone = document.getElementById("dropzone");
  if (zone) {
    zone.addEventListener("dragover", function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      zone.classList.remove("over");
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        input.files = ev.dataTransfer.files;
        check();
        input.dispatchEvent(new Event("change"));
      }
    });
  }

  var section = document.getElementById("upload-progress");
  var list = section ? section.querySelector("ul.outcomes") : null;
  if (!list || !window.FormData) { return; }

  var placeholder = function (file) {
    var li = document.createElement("li");
    li.className = "outcome sending";
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Übertragung von " + file.name);
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = "wartet …";
    li.appendChild(name);
    li.appendChild(document.createTextNode(": "));
    li.appendChild(bar);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(state);
    list.appendChild(li);
    return li;
  };

  var send = function (file, li, index, several, done) {
    var data = new FormData(form);
    data.delete("files");
    data.append("files", file, file.name);
    if (several) {  // a title names one file; several take the per-file title and kind
      var ownTitle = document.getElementById("pf-title-" + index);
      var ownKind = document.getElementById("pf-kind-" + index);
      data.set("title", ownTitle ? ownTitle.value : "");
      if (ownKind) { data.set("kind", ownKind.value); }
    }
    var xhr = new XMLHttpRequest();
    var bar = li.querySelector("progress");
    var state = li.querySelector(".state");
    state.textContent = "wird übertragen …";
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.value = Math.round((ev.loaded / ev.total) * 100); }
    };
    xhr.onload = function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (answer && answer.html) {
        var holder = document.createElement("ul");
        holder.innerHTML = answer.html;  // rendered and escaped by the server
        var row = holder.querySelector("li");
        if (row) { list.replaceChild(row, li); }
      } else {
        bar.remove();
        state.textContent = "nicht gespeichert: " + ((answer && answer.message) ||
          "Die Übertragung ist fehlgeschlagen (" + xhr.status + ").");
      }
      done();
    };
    xhr.onerror = function () {
      bar.remove();
      state.textContent = "nicht gespeichert: Die Verbindung ist abgebrochen. Bitte noch einmal hochladen.";
      done();
    };
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(data);
  };

  form.addEventListener("submit", function (ev) {
    if (!check()) { ev.preventDefault(); return; }
    if (!input.files.length) { return; }
    ev.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    section.hidden = false;
    var rows = files.map(placeholder);
    var next = 0;
    var step = function () {
      if (next >= files.length) {
        button.disabled = false;
        input.value = "";
        if (perFile) { perFile.hidden = true; }
        startPolling(list);
        return;
      }
      var i = next++;
      send(files[i], rows[i], i, files.length > 1, function () { startPolling(list); step(); });
    };
    step();
  });
})();
