// A render waiting for its PDF (処理待ち): polls its status and shows the page again once it is done or failed.
// Polling rather than <meta http-equiv="refresh">, which reloads the page under the reader every second.
(function () {
  var box = document.getElementById('render-status');
  if (!box) return;
  function poll() {
    fetch(box.dataset.url, { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(
        function (b) { if (b.status !== 'queued') location.reload(); else setTimeout(poll, 1000); },
        function () { setTimeout(poll, 3000); },
      );
  }
  setTimeout(poll, 1000);
})();
