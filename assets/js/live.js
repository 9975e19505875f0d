// Keeps the bell's count live: the page opens the notifications' channel
// and shows each new count, and the newest notification's title for a few
// seconds. Without JavaScript the count is right at each page load.
(function () {
  var bell = document.querySelector("[data-live]");
  if (!bell || !window.WebSocket) return;
  var count = bell.querySelector(".bell-count");
  var toast = document.querySelector(".live-toast");
  var wait = 1000, hide;
  function show(ev) {
    count.textContent = ev.unread;
    count.hidden = ev.unread === 0;
    document.body.dataset.unread = ev.unread;
    // for a page that shows what the event is about (a forum's thread)
    document.dispatchEvent(new CustomEvent("preau:live", { detail: ev }));
    if (ev.latest && toast && ev.fresh) {
      toast.textContent = ev.latest.title;
      toast.hidden = false;
      clearTimeout(hide);
      hide = setTimeout(function () { toast.hidden = true; }, 6000);
    }
  }
  function open() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + bell.dataset.live);
    ws.onopen = function () { wait = 1000; document.body.dataset.live = "open"; };
    ws.onmessage = function (m) { show(JSON.parse(m.data)); };
    ws.onclose = function () {
      document.body.dataset.live = "closed";
      setTimeout(open, wait);
      wait = Math.min(wait * 2, 60000);
    };
  }
  open();
})();
