// The printed sheet on a phone: each A4 page scaled down to the screen's width (pinch to zoom in), so the
// whole document reads without sideways scrolling. Without this script the page scrolls as before.
(function () {
  var page = document.querySelector('.page');
  if (!page) return;
  function fit() {
    document.body.style.zoom = '';
    var width = Math.max(page.offsetWidth, 1);
    var room = document.documentElement.clientWidth;
    var scale = Math.min(1, room / width);
    if (scale < 1) document.body.style.zoom = String(Math.floor(scale * 1000) / 1000);
  }
  fit();
  window.addEventListener('resize', fit);
})();
