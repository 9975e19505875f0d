// Shows the « Imprimer » buttons (hidden without JavaScript, where the
// browser's own menu prints the page) and makes them print it.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
