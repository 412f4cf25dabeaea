// The disclosure page while its PDFs are printed: asks every two seconds whether the ZIP is ready, then downloads it.
(function () {
  var box = document.getElementById('export-status');
  if (!box || !window.fetch) return;
  var statusUrl = box.getAttribute('data-status-url');
  var downloadUrl = box.getAttribute('data-download-url');
  function poll() {
    fetch(statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status && status.ready) {
          box.textContent = '準備ができました。ダウンロードを始めます。';
          window.location.href = downloadUrl;
        } else {
          if (status) box.textContent = '準備しています（残り ' + status.pending + ' 件）。準備ができると、自動でダウンロードが始まります。';
          setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        setTimeout(poll, 4000);
      });
  }
  setTimeout(poll, 1000);
})();
