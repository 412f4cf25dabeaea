// Live progress of a batch: polls its status and reloads the page when it ends.
(function () {
  var box = document.getElementById('batch-status');
  if (!box || !box.dataset.running) return;
  var labels = { queued: '処理待ち（順番に処理します）', people: '従事者と誓約書を作成中', esign: '署名依頼を送信中', print: 'PDFを作成中', done: '完了' };
  // Each phase counts its own things (the same words as the page: src/web/batch-pages.controller.ts, progressText).
  function progressText(phase, done, total) {
    if (phase === 'people') return '従事者 ' + total + '名中 ' + done + '名を処理済み';
    if (phase === 'esign') return '署名依頼のメール ' + total + '通中 ' + done + '通を送信済み';
    if (phase === 'print') return '印刷用PDF ' + total + '区分中 ' + done + '区分を作成済み';
    if (phase === 'queued') return total + '名分を処理待ち';
    return '';
  }
  function poll() {
    fetch(box.dataset.url, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (b) {
      document.getElementById('progress').value = b.percent;
      document.getElementById('phase').textContent = labels[b.phase] || b.phase;
      document.getElementById('counts').textContent = progressText(b.phase, b.progressDone, b.progressTotal);
      if (b.status === 'done' || b.status === 'failed') location.reload(); else setTimeout(poll, 1000);
    }, function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
