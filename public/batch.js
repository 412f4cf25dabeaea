// Live progress of a batch: polls its status and reloads the page when it ends.
(function () {
  var box = document.getElementById('batch-status');
  if (!box || !box.dataset.running) return;
  var labels = { queued: '処理待ち（順番に処理します）', people: '従事者と誓約書を作成中', esign: '署名依頼を送信中', print: 'PDFを作成中', done: '完了' };
  function poll() {
    fetch(box.dataset.url, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (b) {
      document.getElementById('progress').value = b.percent;
      document.getElementById('phase').textContent = labels[b.phase] || b.phase;
      document.getElementById('counts').textContent = b.progressDone + ' / ' + b.progressTotal;
      if (b.status === 'done' || b.status === 'failed') location.reload(); else setTimeout(poll, 1000);
    }, function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
