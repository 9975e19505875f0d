// Saves the message being written in Brouillons every little while, so
// that a closed tab or a flat battery loses nothing. The files wait for
// the real sending: a draft keeps the text, the recipients and the
// subject. Without JavaScript the « Enregistrer le brouillon » button does
// the same.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var id = form.querySelector("[data-draft-id]");
  var saved = form.querySelector("[data-saved]");
  var changed = false, saving = false, sent = false;
  form.addEventListener("input", function () { changed = true; });
  form.addEventListener("submit", function () { sent = true; });
  function save() {
    if (!changed || saving || sent) return;
    changed = false;
    saving = true;
    var data = new FormData(form);
    data.delete("fichiers");
    fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) { id.value = d.id; saved.textContent = d.saved; })
      .catch(function () { changed = true; })
      .then(function () { saving = false; });
  }
  setInterval(save, 15000);
  document.addEventListener("visibilitychange", function () { if (document.hidden) save(); });
})();
