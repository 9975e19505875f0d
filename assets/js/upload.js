// Sends the documents a teacher chose or dropped one by one, each with its
// own progress bar, through the API; the page's form works without it.
// A file that failed can be sent again: the server keeps one copy.
(function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector(".dropzone");
  var list = form.querySelector(".upload-list");

  function rows() {
    list.textContent = "";
    list.hidden = input.files.length === 0;
    return Array.prototype.map.call(input.files, function (f) {
      var li = document.createElement("li");
      var name = document.createElement("bdi");
      name.textContent = f.name;
      var bar = document.createElement("progress");
      bar.max = f.size || 1;
      bar.value = 0;
      var state = document.createElement("small");
      li.append(name, bar, state);
      list.append(li);
      return { file: f, li: li, bar: bar, state: state };
    });
  }

  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      rows();
    }
  });
  input.addEventListener("change", rows);

  function send(item, done) {
    var data = new FormData();
    data.append("class_id", form.elements.classe.value);
    data.append("folder", form.elements.dossier.value);
    data.append("file", item.file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.upload);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) { item.bar.max = e.total; item.bar.value = e.loaded; } };
    xhr.onload = function () {
      var ok = xhr.status === 200 || xhr.status === 201;
      var msg = "";
      try { msg = JSON.parse(xhr.responseText).error || ""; } catch (err) {}
      item.li.className = ok ? "ok" : "failed";
      item.bar.value = ok ? item.bar.max : item.bar.value;
      item.state.textContent = ok ? form.dataset.done : msg || form.dataset.failed;
      done(ok);
    };
    xhr.onerror = function () {
      item.li.className = "failed";
      item.state.textContent = form.dataset.failed;
      done(false);
    };
    item.li.className = "sending";
    item.state.textContent = form.dataset.sending;
    xhr.send(data);
  }

  form.addEventListener("submit", function (e) {
    if (!input.files.length) return;
    e.preventDefault();
    var items = rows(), failed = 0, i = 0;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    (function next() {
      if (i === items.length) {
        button.disabled = false;
        if (!failed) location.reload();
        return;
      }
      send(items[i++], function (ok) { if (!ok) failed++; next(); });
    })();
  });
})();
