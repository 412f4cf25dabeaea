// Signing page: a finger-drawn signature (signature_pad) or a typed name. Without JavaScript, the typed
// signature still works; with it, drawing is offered first. After a validation error the page comes back
// with what was given: the way of signing, and the drawn signature (put back on the pad).
// The home visit's app (/visit) attaches the same pad to the form it shows: window.renkeiSignatureForm(form).
(function () {
  function attach(form) {
    var canvas = form.querySelector('#signature-pad');
    if (!canvas || !window.SignaturePad) return null;
    var drawn = form.querySelector('#kind-drawn');
    var typed = form.querySelector('#kind-typed');
    var drawnBox = form.querySelector('#drawn-box');
    var typedBox = form.querySelector('#typed-box');
    var image = form.querySelector('#signatureImage');
    var pad = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: '#111' });
    // The signature drawn before the page came back, until the signer clears the pad.
    var kept = image.value || null;

    // The service accepts signatures up to 2000 × 1000 pixels: a sharp screen draws at most that many.
    var MAX_WIDTH = 2000;
    var MAX_HEIGHT = 1000;
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      ratio = Math.max(1, Math.min(ratio, MAX_WIDTH / Math.max(canvas.offsetWidth, 1), MAX_HEIGHT / Math.max(canvas.offsetHeight, 1)));
      var data = pad.toData();
      canvas.width = Math.min(Math.floor(canvas.offsetWidth * ratio), MAX_WIDTH);
      canvas.height = Math.min(Math.floor(canvas.offsetHeight * ratio), MAX_HEIGHT);
      canvas.getContext('2d').scale(ratio, ratio);
      pad.clear();
      if (kept && data.length === 0) {
        pad.fromDataURL(kept, { ratio: ratio, width: canvas.width / ratio, height: canvas.height / ratio });
      } else {
        pad.fromData(data);
      }
    }
    function show() {
      drawnBox.hidden = !drawn.checked;
      typedBox.hidden = !typed.checked;
      if (drawn.checked) resize();
    }
    if (form.getAttribute('data-kind') !== 'typed') drawn.checked = true;
    drawn.addEventListener('change', show);
    typed.addEventListener('change', show);
    window.addEventListener('resize', function () { if (drawn.checked) resize(); });
    form.querySelector('#clear-signature').addEventListener('click', function () { kept = null; pad.clear(); });
    form.addEventListener('submit', function () {
      image.value = drawn.checked && !pad.isEmpty() ? pad.toDataURL('image/png') : '';
    });
    show();
    return pad;
  }
  window.renkeiSignatureForm = attach;
  var page = document.getElementById('sign-form');
  if (page) attach(page);
})();
