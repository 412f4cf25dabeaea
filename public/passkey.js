// Passkeys (WebAuthn) with the browser's own API: adding one on the 2段階認証 page, and answering the second
// step of log-in with one. The server's options come from /api (with the page's CSRF token); the browser's
// answer goes back in an ordinary form post, so the server renders what comes next.
(function () {
  var loginBox = document.getElementById('passkey-login');
  var registerBox = document.getElementById('passkey-register');
  if (!loginBox && !registerBox) return;
  var status = document.getElementById('passkey-status');

  function say(text) {
    if (status) status.textContent = text;
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    say('このブラウザはパスキーに対応していません。確認コード（認証アプリ）をお使いください。');
    var buttons = document.querySelectorAll('#passkey-login-button, #passkey-register-button');
    for (var b = 0; b < buttons.length; b++) buttons[b].disabled = true;
    return;
  }

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) base64 += '=';
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }
  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type || 'public-key', id: fromBase64url(d.id), transports: d.transports };
    });
  }
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  function postJson(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw new Error(json.message || 'パスキーの準備ができませんでした');
        return json;
      });
    });
  }
  function explain(error) {
    if (error && error.name === 'NotAllowedError') return 'パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。';
    if (error && error.name === 'InvalidStateError') return 'このパスキーはすでに登録されています。';
    return (error && error.message) || 'パスキーを使えませんでした。';
  }
  function submitWith(form, credential) {
    form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
    form.submit();
  }

  if (loginBox) {
    var loginForm = document.getElementById('passkey-login-form');
    document.getElementById('passkey-login-button').addEventListener('click', function () {
      say('パスキーを確認しています…');
      postJson(loginBox.getAttribute('data-options-url'), { mfaToken: loginBox.getAttribute('data-token') })
        .then(function (options) {
          return navigator.credentials.get({
            publicKey: {
              challenge: fromBase64url(options.challenge),
              rpId: options.rpId,
              timeout: options.timeout,
              userVerification: options.userVerification,
              allowCredentials: descriptors(options.allowCredentials),
            },
          });
        })
        .then(function (credential) {
          var r = credential.response;
          submitWith(loginForm, {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment || undefined,
            clientExtensionResults: credential.getClientExtensionResults(),
            response: {
              clientDataJSON: toBase64url(r.clientDataJSON),
              authenticatorData: toBase64url(r.authenticatorData),
              signature: toBase64url(r.signature),
              userHandle: r.userHandle ? toBase64url(r.userHandle) : undefined,
            },
          });
        })
        .catch(function (error) {
          say(explain(error));
        });
    });
  }

  if (registerBox) {
    var registerForm = document.getElementById('passkey-register-form');
    var registerButton = document.getElementById('passkey-register-button');
    // Enter in the name field starts the same ceremony as the button.
    registerForm.addEventListener('submit', function (event) {
      if (registerForm.querySelector('input[name="credential"]').value) return;
      event.preventDefault();
      registerButton.click();
    });
    registerButton.addEventListener('click', function () {
      // Adding a passkey asks for the current password: ask before the device's prompt, not after it.
      var password = registerForm.querySelector('input[name="password"]');
      if (password && !password.value) {
        say('確認のため、現在のパスワードを入力してください。');
        password.focus();
        return;
      }
      say('パスキーを作成しています…');
      postJson(registerBox.getAttribute('data-options-url'), {})
        .then(function (options) {
          return navigator.credentials.create({
            publicKey: {
              challenge: fromBase64url(options.challenge),
              rp: options.rp,
              user: { id: fromBase64url(options.user.id), name: options.user.name, displayName: options.user.displayName },
              pubKeyCredParams: options.pubKeyCredParams,
              timeout: options.timeout,
              attestation: options.attestation,
              authenticatorSelection: options.authenticatorSelection,
              excludeCredentials: descriptors(options.excludeCredentials),
            },
          });
        })
        .then(function (credential) {
          var r = credential.response;
          submitWith(registerForm, {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment || undefined,
            clientExtensionResults: credential.getClientExtensionResults(),
            response: {
              clientDataJSON: toBase64url(r.clientDataJSON),
              attestationObject: toBase64url(r.attestationObject),
              transports: r.getTransports ? r.getTransports() : [],
            },
          });
        })
        .catch(function (error) {
          say(explain(error));
        });
    });
  }
})();
