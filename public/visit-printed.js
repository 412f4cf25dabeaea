// The sheet as printed (A4), offline: /visit/printed#<taken document> draws it from the device's encrypted
// store (the very HTML the PDF is printed from, with its own style), each page scaled to the screen's width.
(function () {
  var status = document.getElementById('printed-status');
  var store = window.renkeiVisitStore;
  var id = decodeURIComponent(window.location.hash.slice(1));

  function fit() {
    var page = document.querySelector('.page');
    if (!page) return;
    document.body.style.zoom = '';
    var scale = Math.min(1, document.documentElement.clientWidth / Math.max(page.offsetWidth, 1));
    if (scale < 1) document.body.style.zoom = String(Math.floor(scale * 1000) / 1000);
  }

  async function show() {
    if (!store || !store.usable) throw new Error('この端末では表示できません');
    var visit = await store.get('visit');
    var doc =
      visit &&
      visit.documents.find(function (d) {
        return d.id === id;
      });
    if (!doc) throw new Error('この書類はこの端末にありません');
    var sheet = new DOMParser().parseFromString(doc.printedHtml, 'text/html');
    document.title = sheet.title;
    sheet.head.querySelectorAll('style').forEach(function (style) {
      document.head.appendChild(document.importNode(style, true));
    });
    var back = document.createElement('p');
    var link = document.createElement('a');
    link.href = '/visit';
    link.textContent = '訪問の画面に戻る';
    back.appendChild(link);
    var main = document.querySelector('main');
    main.textContent = '';
    main.appendChild(back);
    Array.from((sheet.querySelector('main') || sheet.body).childNodes).forEach(function (node) {
      main.appendChild(document.importNode(node, true));
    });
    fit();
    window.addEventListener('resize', fit);
  }

  show().catch(function (error) {
    status.textContent = error.message;
  });
})();
