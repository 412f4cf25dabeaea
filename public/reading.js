// The reader's tools above a document's text: the text size (remembered on this device) and 読み上げ with the
// browser's Japanese voice, offered only where the browser has one. Without this script the tools stay hidden
// and the text reads at its default size.
(function () {
  var KEY = 'renkei-text-size';
  var SIZES = ['standard', 'large', 'largest'];
  var root = document.documentElement;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return SIZES.indexOf(value) >= 0 ? value : 'standard';
    } catch (e) {
      return 'standard';
    }
  }

  function apply(size) {
    if (size === 'standard') root.removeAttribute('data-text-size');
    else root.setAttribute('data-text-size', size);
    var buttons = document.querySelectorAll('[data-text-size]');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i] === root) continue;
      buttons[i].setAttribute('aria-pressed', String(buttons[i].getAttribute('data-text-size') === size));
    }
  }

  apply(stored());
  var tools = document.getElementById('reading-tools');
  if (!tools) return;
  tools.hidden = false;
  tools.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-text-size]') : null;
    if (!button) return;
    var size = button.getAttribute('data-text-size');
    try {
      window.localStorage.setItem(KEY, size);
    } catch (e) {
      // A browser that keeps nothing still changes the size for this page.
    }
    apply(size);
  });

  var aloud = document.getElementById('read-aloud');
  var text = document.getElementById('reading');
  var speech = window.speechSynthesis;
  if (!aloud || !text || !speech || typeof window.SpeechSynthesisUtterance !== 'function') return;
  var label = aloud.textContent;

  function japaneseVoice() {
    var voices = speech.getVoices();
    for (var i = 0; i < voices.length; i++) if (/^ja(-|_|$)/i.test(voices[i].lang)) return voices[i];
    return null;
  }

  function offer() {
    aloud.hidden = !japaneseVoice();
  }

  offer();
  if (typeof speech.addEventListener === 'function') speech.addEventListener('voiceschanged', offer);

  function reset() {
    aloud.textContent = label;
    aloud.setAttribute('aria-pressed', 'false');
  }

  aloud.addEventListener('click', function () {
    if (speech.speaking) {
      speech.cancel();
      reset();
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(text.innerText);
    utterance.lang = 'ja-JP';
    var voice = japaneseVoice();
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    utterance.onend = reset;
    utterance.onerror = reset;
    aloud.textContent = aloud.getAttribute('data-stop-label');
    aloud.setAttribute('aria-pressed', 'true');
    speech.speak(utterance);
  });
})();
