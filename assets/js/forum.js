// Brings a thread's new posts in while it is open: live.js passes on
// what the notifications' channel says; when it tells of this thread,
// the page reads itself again and puts in the posts it lacks. Without
// JavaScript the posts are there at each page load.
(function () {
  var list = document.querySelector("[data-live-thread]");
  if (!list || !window.fetch || !window.DOMParser) return;
  var path = list.dataset.liveThread;
  document.addEventListener("preau:live", function (e) {
    var latest = e.detail && e.detail.latest;
    if (!latest || !latest.url || latest.url.split("#")[0] !== path) return;
    fetch(path, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-thread]");
      if (!fresh) return;
      fresh.querySelectorAll("[data-post]").forEach(function (post) {
        if (!document.getElementById(post.id)) {
          post.classList.add("arrived");
          list.appendChild(document.importNode(post, true));
        }
      });
      document.body.dataset.forumLive = String(list.querySelectorAll("[data-post]").length);
    });
  });
})();
