// The home visit's service worker (served at /visit/sw.js, scope /visit). It keeps the app's shell — the page,
// its scripts and style sheets — so that /visit opens with no network. It never stores a document or a signature:
// those stay in the encrypted store (visit-store.js). Network first, so that a connected tablet always runs the
// latest app; the kept copy only when the network is gone. Hand-written: workbox would need a build step.
var CACHE = 'renkei-visit-shell-v1';
var SHELL = [
  '/visit',
  '/visit/printed',
  '/visit/manifest.webmanifest',
  '/assets/app.css',
  '/assets/reading.css',
  '/assets/reading.js',
  '/assets/sign.js',
  '/assets/visit.js',
  '/assets/visit-store.js',
  '/assets/visit-server.js',
  '/assets/visit-views.js',
  '/assets/visit-printed.js',
  '/assets/visit-icon-192.png',
  '/assets/visit-icon-512.png',
  '/assets/vendor/idb/umd.js',
  '/assets/vendor/signature_pad/signature_pad.umd.min.js',
];

/** Keeps a fresh answer, unless it is not the page itself (a log-in page after a redirect, an error). */
function keep(cache, path, response) {
  if (response && response.ok && !response.redirected && response.type === 'basic') return cache.put(path, response.clone());
  return Promise.resolve();
}

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(
        SHELL.map(function (path) {
          return fetch(path, { credentials: 'same-origin' })
            .then(function (response) {
              return keep(cache, path, response);
            })
            .catch(function () {});
        }),
      );
    }),
  );
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf('renkei-visit-') === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            }),
        );
      })
      .then(function () {
        return self.clients.claim();
      }),
  );
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) return;
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return fetch(event.request)
        .then(function (response) {
          keep(cache, url.pathname, response);
          return response;
        })
        .catch(function () {
          return cache.match(url.pathname).then(function (kept) {
            return kept || Response.error();
          });
        });
    }),
  );
});
