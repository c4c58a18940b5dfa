// Progressive enhancement for the upload pages: the form works without it.
// 1. Refuse a selection over the size limits before anything is sent.
// 2. Drag and drop onto the file field's box.
// 3. Send one file per request with a progress bar each; the server answers with the
//    same result row the plain form would show, which is put into the page.
// 4. A file that could not be sent (offline, session expired, server away) stays in the
//    page with the reason; "Erneut versuchen" sends exactly those files again.
// 5. Poll the status of each stored file until it is searchable.
// Every text comes from the server in the UI language (data-texts on ul.outcomes).
(function () {
  "use strict";

  var resultList = document.querySelector("ul.outcomes");
  var texts = {};
  try { texts = JSON.parse(resultList.getAttribute("data-texts")) || {}; } catch (e) { texts = {}; }
  var say = function (key, values) {  // fill {name}-style placeholders
    var text = texts[key] || key;
    for (var name in values || {}) {
      if (Object.prototype.hasOwnProperty.call(values, name)) {
        text = text.split("{" + name + "}").join(values[name]);
      }
    }
    return text;
  };

  var statusText = function (f) {
    if (f.state === "failed") { return say("failed", { message: f.message }); }
    if (f.state === "searchable" && f.message) { return say("searchable_note", { note: f.message }); }
    return say(f.state);
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
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 200 && data && data.files) {
        for (var j = 0; j < data.files.length; j++) {
          var f = data.files[j];
          var row = list.querySelector('li[data-file-id="' + f.id + '"]');
          if (!row) { continue; }
          var text = statusText(f);
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
      message = say("too_big_file", { names: big.join(", ") });
    } else if (total > limit) {
      message = say("too_big_total");
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
  var textField = function (id) {
    var field = document.createElement("input");
    field.type = "text";
    field.id = id;
    field.maxLength = 500;
    return field;
  };
  var labelled = function (li, field, text) {  // a label for the field, then the field
    var label = document.createElement("label");
    label.setAttribute("for", field.id);
    label.textContent = text;
    li.appendChild(label);
    li.appendChild(field);
  };
  var showPerFile = function () {
    if (!perFile) { return; }
    var list = perFile.querySelector("ol");
    list.textContent = "";
    perFile.hidden = input.files.length < 2;
    if (perFile.hidden) { return; }  // one file: the fields below are its own
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement("li");
      var title = textField("pf-title-" + i);
      title.value = stem(input.files[i].name);
      labelled(li, title, say("file_title", { name: input.files[i].name }));
      var kind = kindSelect.cloneNode(true);
      kind.id = "pf-kind-" + i;
      kind.removeAttribute("name");
      kind.value = kindSelect.value;
      labelled(li, kind, say("kind"));
      if (/^image\/(png|jpeg)$/.test(input.files[i].type)) {  // each image its own description
        var alt = textField("pf-alt-" + i);
        alt.required = true;
        labelled(li, alt, say("file_alt", { name: input.files[i].name }));
      }
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
  var button = form.querySelector("button[type=submit]");
  var retryBox = document.getElementById("retry-box");
  var retryButton = document.getElementById("retry");

  // One entry per chosen file: the File itself (kept until it is stored), its row, and the
  // title and kind chosen for it when it was first sent.
  var addBar = function (entry) {
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", say("progress", { name: entry.file.name }));
    entry.li.insertBefore(bar, entry.state);
    entry.li.insertBefore(document.createTextNode(" "), entry.state);
    return bar;
  };
  var makeEntry = function (file, index, several) {
    var li = document.createElement("li");
    li.className = "outcome sending";
    var name = document.createElement("strong");
    name.textContent = file.name;
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = say("waiting");
    li.appendChild(name);
    li.appendChild(document.createTextNode(": "));
    li.appendChild(state);
    list.appendChild(li);
    var entry = { file: file, li: li, state: state, title: null, kind: null, alt: null };
    if (several) {  // a title names one file; several take the per-file title, kind, alt text
      var ownTitle = document.getElementById("pf-title-" + index);
      var ownKind = document.getElementById("pf-kind-" + index);
      var ownAlt = document.getElementById("pf-alt-" + index);
      entry.title = ownTitle ? ownTitle.value : "";
      entry.kind = ownKind ? ownKind.value : null;
      entry.alt = ownAlt ? ownAlt.value : "";
    }
    entry.bar = addBar(entry);
    return entry;
  };

  var fail = function (entry, message, loginUrl) {
    if (entry.bar) { entry.bar.remove(); entry.bar = null; }
    entry.state.textContent = say("not_stored", { message: message });
    if (loginUrl) {
      var link = document.createElement("a");
      link.href = loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "sign-in";
      link.textContent = say("sign_in");
      entry.li.appendChild(document.createTextNode(" "));
      entry.li.appendChild(link);
    }
  };

  // done(true) when the server answered with a result row (stored, refused or duplicate):
  // sending that file again would change nothing. done(false) keeps it for "Erneut versuchen".
  var send = function (entry, done) {
    var data = new FormData(form);
    data.delete("files");
    data.append("files", entry.file, entry.file.name);
    if (entry.title !== null) { data.set("title", entry.title); }
    if (entry.kind) { data.set("kind", entry.kind); }
    if (entry.alt !== null) { data.set("alt", entry.alt); }
    var old = entry.li.querySelector("a.sign-in");
    if (old) { old.remove(); }
    if (!entry.bar) { entry.bar = addBar(entry); }
    var xhr = new XMLHttpRequest();
    entry.state.textContent = say("sending");
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable && entry.bar) { entry.bar.value = Math.round((ev.loaded / ev.total) * 100); }
    };
    xhr.onload = function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (answer && answer.html) {
        var holder = document.createElement("ul");
        holder.innerHTML = answer.html;  // rendered and escaped by the server
        var row = holder.querySelector("li");
        if (row) { list.replaceChild(row, entry.li); }
        done(true);
        return;
      }
      fail(entry, (answer && answer.message) || say("transfer_failed", { status: xhr.status }),
        answer && answer.login_url);
      done(false);
    };
    xhr.onerror = function () {
      fail(entry, say("offline"));
      done(false);
    };
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(data);
  };

  var busy = false;
  var again = [];  // entries whose file was not stored and can be sent again
  var run = function (entries) {
    busy = true;
    button.disabled = true;
    retryButton.disabled = true;
    section.hidden = false;
    var next = 0;
    var step = function () {
      if (next >= entries.length) {
        busy = false;
        button.disabled = false;
        retryButton.disabled = false;
        retryBox.hidden = !again.length;
        startPolling(list);
        return;
      }
      var entry = entries[next++];
      send(entry, function (settled) {
        if (!settled) { again.push(entry); }
        startPolling(list);
        step();
      });
    };
    step();
  };

  form.addEventListener("submit", function (ev) {
    if (busy) { ev.preventDefault(); return; }  // a double click sends each file once
    if (!check()) { ev.preventDefault(); return; }
    if (!input.files.length) { return; }
    ev.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    var entries = files.map(function (file, i) { return makeEntry(file, i, files.length > 1); });
    input.value = "";  // the files live on in the entries until they are stored
    if (perFile) { perFile.hidden = true; }
    run(entries);
  });

  // A new CSRF token first: after an expired session (or signing in again in another tab)
  // the page's token belongs to a session that no longer exists.
  retryButton.addEventListener("click", function () {
    if (busy || !again.length) { return; }
    var entries = again;
    again = [];
    retryButton.disabled = true;
    var xhr = new XMLHttpRequest();
    var go = function () { run(entries); };
    xhr.onload = function () {
      try {
        var token = JSON.parse(xhr.responseText).csrf_token;
        var field = form.querySelector("input[name=csrf_token]");
        if (token && field) { field.value = token; }
      } catch (e) { /* keep the old token; the server says if it is no good */ }
      go();
    };
    xhr.onerror = go;  // still offline: each file says so again and stays
    xhr.open("GET", list.getAttribute("data-token-url"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send();
  });
})();
