// The home visit's app and the server (/api/visits), and the staff password checked on the device: what the
// tablet sends, and how it knows the staff member offline (a salted PBKDF2 of the password, never the password).
(function () {
  var PBKDF2_ROUNDS = 210000;
  var store = window.renkeiVisitStore;

  async function derive(password, salt) {
    var material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
    var bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt, iterations: PBKDF2_ROUNDS }, material, 256);
    return Array.from(new Uint8Array(bits));
  }

  async function csrfToken() {
    try {
      var response = await fetch('/api/auth/csrf', { credentials: 'same-origin' });
      return response.ok ? (await response.json()).csrfToken : null;
    } catch (e) {
      return null;
    }
  }

  /** A JSON request; null when the network is gone. */
  async function send(method, path, body, token) {
    var headers = { Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers['X-CSRF-Token'] = token;
    try {
      var init = { method: method, credentials: 'same-origin', headers: headers, body: body ? JSON.stringify(body) : undefined };
      return await fetch(path, init);
    } catch (e) {
      return null;
    }
  }

  window.renkeiVisitServer = {
    csrfToken: csrfToken,
    /** { status, body } of GET /api/visits/current, or null offline. */
    current: async function () {
      var response = await send('GET', '/api/visits/current');
      if (!response) return null;
      return { status: response.status, body: response.ok ? await response.json() : null };
    },
    /** One signature: { status, body }, or null offline. */
    sendSignature: async function (signature, token) {
      var response = await send(
        'POST',
        '/api/visits/' + signature.visitId + '/signatures',
        {
          visitDocumentId: signature.visitDocumentId,
          signerId: signature.signerId,
          signedAt: signature.signedAt,
          signature: signature.signature,
          decline: signature.decline,
        },
        token,
      );
      if (!response) return null;
      return {
        status: response.status,
        body: await response.json().catch(function () {
          return {};
        }),
      };
    },
    /** Readies the device for the visit with the staff password: null when accepted, else why not. */
    prepare: async function (visit, password) {
      var response = await send('POST', '/api/visits/' + visit.id + '/device', { password: password }, await csrfToken());
      if (!response) return '電波がないため準備できません。電波のある所でもう一度お試しください。';
      if (response.status !== 204) {
        var body = await response.json().catch(function () {
          return {};
        });
        return body.message || '準備できませんでした。もう一度お試しください。';
      }
      var salt = crypto.getRandomValues(new Uint8Array(16));
      await store.put('verifier', { visitId: visit.id, salt: Array.from(salt), hash: await derive(password, salt) });
      return null;
    },
    passwordMatches: async function (password) {
      var verifier = await store.get('verifier');
      if (!verifier) return false;
      var hash = await derive(password, new Uint8Array(verifier.salt));
      var same = hash.length === verifier.hash.length;
      for (var i = 0; i < hash.length; i++) same = same && hash[i] === verifier.hash[i];
      return same;
    },
  };
})();
