// The home visit's store on the device (IndexedDB through idb): the visit's documents and each signature not
// yet accepted, every record encrypted with AES-GCM under a key WebCrypto made non-extractable (the browser
// can use it, no script can read it out). Shared by /visit (visit.js) and its printed sheet (visit-printed.js).
(function () {
  var DB_NAME = 'renkei-visit';
  var usable = !!(window.isSecureContext && window.crypto && window.crypto.subtle && window.indexedDB && window.idb);
  var dbPromise = null;

  function db() {
    dbPromise =
      dbPromise ||
      window.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          database.createObjectStore('meta');
          database.createObjectStore('signatures', { keyPath: 'id' });
        },
      });
    return dbPromise;
  }

  async function deviceKey() {
    var database = await db();
    var key = await database.get('meta', 'key');
    if (key) return key;
    key = await window.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await database.put('meta', key, 'key');
    return key;
  }

  async function seal(value) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var data = await window.crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: iv },
      await deviceKey(),
      new TextEncoder().encode(JSON.stringify(value)),
    );
    return { iv: iv, data: data };
  }

  async function open(box) {
    if (!box) return null;
    var plain = await window.crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv }, await deviceKey(), box.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  window.renkeiVisitStore = {
    usable: usable,
    /** A value kept encrypted under a name (the visit, the staff password's verifier). */
    get: async function (name) {
      return open(await (await db()).get('meta', name));
    },
    put: async function (name, value) {
      await (await db()).put('meta', await seal(value), name);
    },
    remove: async function (name) {
      await (await db()).delete('meta', name);
    },
    /** The signatures kept on the device: { id, …what was signed, state: 'pending' | 'refused', refusal }. */
    signatures: async function () {
      var rows = await (await db()).getAll('signatures');
      return Promise.all(
        rows.map(async function (row) {
          return Object.assign(await open(row.box), { id: row.id });
        }),
      );
    },
    putSignature: async function (signature) {
      await (await db()).put('signatures', { id: signature.id, box: await seal(signature) });
    },
    removeSignature: async function (id) {
      await (await db()).delete('signatures', id);
    },
    /** Everything of the visit goes, the key too (a new one is made for the next visit). */
    wipe: async function () {
      var database = await db();
      await database.clear('signatures');
      await database.clear('meta');
    },
  };
})();
