// Receipt page: read the QR code on a paper original with the device camera, then submit its code.
// Uses the browser's BarcodeDetector where it exists, else jsQR on video frames.
(function () {
  var button = document.getElementById('camera');
  var video = document.getElementById('scanner');
  var input = document.getElementById('code');
  var form = document.getElementById('receipt-form');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;
  var canvas = document.createElement('canvas');
  var context = canvas.getContext('2d', { willReadFrequently: true });
  var detector = 'BarcodeDetector' in window ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;

  function found(code) {
    input.value = code;
    var stream = video.srcObject;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    form.submit();
  }

  function scan() {
    if (video.readyState < 2) return requestAnimationFrame(scan);
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(scan);
      }, function () { requestAnimationFrame(scan); });
      return;
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR && window.jsQR(image.data, image.width, image.height);
    if (code && code.data) found(code.data); else requestAnimationFrame(scan);
  }

  button.addEventListener('click', function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      requestAnimationFrame(scan);
    }, function () {
      alert('カメラを使えません。書類番号を入力してください。');
    });
  });
})();
