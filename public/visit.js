// /visit: the home visit's app. Opened online once, it keeps the visit's documents on the device (encrypted,
// visit-store.js) and works with no network: the list of what was taken, each document's reading text and
// printed sheet, and each in-person signer's signature (the signing page's own form, views/partials/sign-form),
// kept on the device until the server has accepted it. It sends on the `online` event and on 「送信する」.
(function () {
  var app = document.getElementById('visit-app');
  if (!app) return;
  var store = window.renkeiVisitStore;
  var $ = document.getElementById.bind(document);
  var REFUSALS = ['DOCUMENT_CHANGED', 'ALREADY_SIGNED', 'REQUEST_CLOSED', 'VISIT_EXPIRED', 'INVALID_REQUEST', 'NOT_YOUR_TURN'];
  var server = window.renkeiVisitServer;
  var views = window.renkeiVisitViews;
  var el = views.el;
  var jst = views.jst;

  var state = { visit: null, signatures: [], current: null, syncing: false };

  function show(view) {
    ['view-prepare', 'view-list', 'view-document', 'view-handback'].forEach(function (id) {
      $(id).hidden = id !== view;
    });
  }

  function message(text, kind) {
    var box = $('visit-message');
    box.hidden = !text;
    box.className = 'notice ' + (kind || '');
    box.textContent = text || '';
  }

  function connection() {
    var pending = state.signatures.filter(function (s) {
      return s.state === 'pending';
    }).length;
    $('visit-connection').textContent =
      (navigator.onLine ? 'オンライン' : 'オフライン（電波がありません）') + (pending ? '・未送信の署名 ' + pending + '件' : '');
  }

  async function fetchVisit() {
    var answer = await server.current();
    if (answer && answer.status === 401)
      message('ログインの有効期限が切れています。ログインし直すと送信できます（この端末の署名は保存されたままです）。', 'warn');
    return answer && answer.body;
  }

  // ---- sync ----
  async function sync() {
    if (state.syncing || !navigator.onLine) return;
    var pending = state.signatures.filter(function (s) {
      return s.state === 'pending';
    });
    if (pending.length === 0) return;
    state.syncing = true;
    try {
      var token = await server.csrfToken();
      if (!token) return;
      var sent = 0;
      for (var i = 0; i < pending.length; i++) {
        var s = pending[i];
        var answer = await server.sendSignature(s, token);
        if (!answer) break; // the network went again: the rest waits on the device
        if (answer.status === 201) {
          await store.removeSignature(s.id);
          sent++;
        } else if (answer.status === 401) {
          message('ログインの有効期限が切れています。ログインし直すと送信できます（この端末の署名は保存されたままです）。', 'warn');
          break;
        } else if (REFUSALS.indexOf(answer.body.code) >= 0) {
          s.state = 'refused';
          s.refusal = { code: answer.body.code, message: answer.body.message || '' };
          await store.putSignature(s);
        }
      }
      state.signatures = await store.signatures();
      var refused = state.signatures.filter(function (x) {
        return x.state === 'refused';
      }).length;
      if (sent) message(sent + '件の署名を送信しました。' + (refused ? '受け付けられなかった署名があります。一覧で理由を確かめてください。' : ''), refused ? 'warn' : 'ok');
      else if (refused) message('受け付けられなかった署名があります。一覧で理由を確かめてください。', 'warn');
      await refresh(false);
    } finally {
      state.syncing = false;
      connection();
    }
  }

  /** The server's view of the visit, kept on the device (once the device was readied for it). */
  async function refresh(prepareIfNeeded) {
    var answer = navigator.onLine ? await fetchVisit() : null;
    if (answer) {
      var verifier = await store.get('verifier');
      if (answer.visit && (!verifier || verifier.visitId !== answer.visit.id)) {
        if (prepareIfNeeded) {
          state.offered = answer.visit;
          show('view-prepare');
          $('prepare-password').focus();
          return false;
        }
      } else if (answer.visit) {
        await store.put('visit', trim(answer.visit));
      } else if (!state.signatures.length) {
        await store.remove('visit');
      }
    }
    state.visit = await store.get('visit');
    return true;
  }

  function trim(visit) {
    return views.trim(visit, state.signatures);
  }

  async function expireIfDue() {
    if (!state.visit || new Date(state.visit.expiresAt).getTime() > Date.now()) return false;
    var expiresAt = state.visit.expiresAt;
    if (navigator.onLine) await sync(); // the server refuses them (VISIT_EXPIRED) and the office sees why
    await store.wipe();
    state.visit = null;
    state.signatures = [];
    message('訪問の期限（' + jst(expiresAt) + '）が過ぎたため、この端末の訪問のデータを消去しました。未送信の署名は、事業所で署名をやり直してください。', 'warn');
    return true;
  }

  // ---- views ----
  function localSignature(doc, signer) {
    return state.signatures.find(function (s) {
      return s.visitDocumentId === doc.id && s.signerId === signer.id;
    });
  }

  function renderList() {
    var box = $('visit-documents');
    box.textContent = '';
    show('view-list');
    if (!state.visit || state.visit.documents.length === 0) {
      box.appendChild(el('p', {}, state.visit ? '署名を待つ書類はありません。' : '訪問に持ち出した書類はありません。書類のページで「訪問に持ち出す」を押してから、電波のある所でこの画面を開いてください。'));
      $('visit-expiry').textContent = '';
    } else {
      $('visit-expiry').textContent = '担当: ' + state.visit.staffName + '　この訪問の期限: ' + jst(state.visit.expiresAt) + '（期限を過ぎると、この端末のデータは消え、署名は受け付けられません）';
      state.visit.documents.forEach(function (doc) {
        var section = el('section', { class: 'network', 'aria-label': doc.formTitle + ' ' + doc.number });
        section.appendChild(el('h3', {}, doc.formTitle + '（' + doc.number + '）'));
        var list = el('ul');
        doc.signers.forEach(function (signer) {
          list.appendChild(views.signerItem(doc, signer, localSignature(doc, signer), true));
        });
        section.appendChild(list);
        var open = el('button', { type: 'button', class: 'secondary', 'data-action': 'open', 'data-doc': doc.id }, '書類を開く');
        section.appendChild(open);
        box.appendChild(section);
      });
    }
    var pending = state.signatures.filter(function (s) {
      return s.state === 'pending';
    }).length;
    $('pending-summary').textContent = pending ? '未送信の署名が ' + pending + '件 あります。' : '未送信の署名はありません。';
    connection();
  }

  function findDoc(id) {
    return state.visit && state.visit.documents.find(function (d) {
      return d.id === id;
    });
  }

  function renderDocument(doc, signer) {
    state.current = { doc: doc, signer: signer || null };
    show('view-document');
    $('document-heading').textContent = doc.formTitle + '（' + doc.number + '）' + (signer ? 'への署名' : '');
    $('signer-line').textContent = signer ? signer.name + ' 様（' + signer.roleLabel + '）　対面での署名（職員が立ち会います）' : '';
    // The engine's own HTML, escaped where it printed values (see src/networks/reading-view.ts).
    $('reading').innerHTML = doc.readingHtml;
    var printLink = document.querySelector('.print-link a');
    if (printLink) printLink.setAttribute('href', '/visit/printed#' + doc.id);
    // The signer's screen is the kiosk: no list, no way back but the staff member's password.
    $('document-back').hidden = !!signer;
    $('document-signers').hidden = !!signer;
    $('sign-steps').hidden = !signer;
    $('kiosk-bar').hidden = !signer;
    var list = $('signer-list');
    list.textContent = '';
    doc.signers.forEach(function (s) {
      list.appendChild(views.signerItem(doc, s, localSignature(doc, s), false));
    });
    var slot = $('sign-slot');
    slot.textContent = '';
    if (signer) slot.appendChild(views.build(signer, onSign, onDecline));
    // Held across a reload or the printed sheet's way back: only the staff password releases the screen.
    if (signer) store.put('kiosk', { doc: doc.id, signer: signer.id });
    $('document-heading').focus();
    window.scrollTo(0, 0);
  }

  async function onSign(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var signature = views.read(form);
    if (views.incomplete(form, signature)) return;
    Object.keys(signature).forEach(function (k) {
      if (signature[k] === undefined) delete signature[k];
    });
    await keep({ signature: signature });
  }

  async function onDecline(event) {
    event.preventDefault();
    await keep({ decline: { reason: event.currentTarget.querySelector('#reason').value.trim() } });
  }

  /** What the signer did, kept on the device until the server has it; the tablet goes back to the staff. */
  async function keep(what) {
    var current = state.current;
    var record = {
      id: current.doc.id + ':' + current.signer.id,
      visitId: state.visit.id,
      visitDocumentId: current.doc.id,
      signerId: current.signer.id,
      signedAt: new Date().toISOString(),
      state: 'pending',
    };
    await store.putSignature(Object.assign(record, what));
    state.signatures = await store.signatures();
    handback(what.decline ? 'declined' : 'signed');
    sync();
  }

  /** 「職員に戻す」: after signing ('signed'), declining ('declined'), or asked for on the signer's screen. */
  function handback(done) {
    show('view-handback');
    $('handback-signed').hidden = !done;
    $('handback-signed').textContent =
      'ありがとうございました。' +
      (done === 'declined' ? '辞退を' : '署名を') +
      'この端末に保存しました（電波が戻ると送信します）。この端末を職員にお返しください。';
    $('handback-error').hidden = true;
    $('handback-password').value = '';
    $('handback-heading').textContent = done === 'declined' ? '辞退を受け付けました' : done ? '署名しました' : '職員に戻す';
    $('handback-heading').focus();
    connection();
  }

  // ---- events ----
  app.addEventListener('click', async function (event) {
    var button = event.target.closest ? event.target.closest('[data-action]') : null;
    if (!button) return;
    var action = button.getAttribute('data-action');
    if (action === 'open') renderDocument(findDoc(button.getAttribute('data-doc')));
    if (action === 'list') renderList();
    if (action === 'handback') handback(false);
    if (action === 'sign') {
      var doc = findDoc(button.getAttribute('data-doc'));
      renderDocument(
        doc,
        doc.signers.find(function (s) {
          return s.id === button.getAttribute('data-signer');
        }),
      );
    }
    if (action === 'discard') {
      await store.removeSignature(button.getAttribute('data-signature'));
      state.signatures = await store.signatures();
      // A document with nothing left to sign nor to send leaves the device with it.
      state.visit = trim(state.visit);
      await store.put('visit', state.visit);
      renderList();
    }
  });

  $('sync-now').addEventListener('click', async function () {
    if (!navigator.onLine) {
      message('電波がないため送信できません。電波のある所で、もう一度押してください。', 'warn');
      return;
    }
    await sync();
    renderList();
  });

  $('handback-form').addEventListener('submit', async function (event) {
    event.preventDefault();
    if (await server.passwordMatches($('handback-password').value)) {
      await store.remove('kiosk');
      message('');
      renderList();
    } else {
      $('handback-error').hidden = false;
      $('handback-password').focus();
    }
  });

  $('prepare-form').addEventListener('submit', async function (event) {
    event.preventDefault();
    var password = $('prepare-password').value;
    var visit = state.offered;
    var refusal = await server.prepare(visit, password);
    if (refusal) {
      message(refusal, 'error');
      return;
    }
    await store.put('visit', trim(visit));
    $('prepare-password').value = '';
    message('この端末に保存しました。電波がなくても署名できます。', 'ok');
    state.visit = await store.get('visit');
    renderList();
  });

  window.addEventListener('online', function () {
    connection();
    sync().then(function () {
      if (!$('view-list').hidden) renderList();
    });
  });
  window.addEventListener('offline', connection);

  async function start() {
    if (!store || !store.usable) {
      message('この端末のブラウザーでは、電波のない所での署名を使えません（https で開き、新しいブラウザーをお使いください）。', 'error');
      return;
    }
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/visit/sw.js', { scope: '/visit' }).catch(function () {});
    state.signatures = await store.signatures();
    state.visit = await store.get('visit');
    if (await expireIfDue()) {
      renderList();
      return;
    }
    await sync();
    if (!(await refresh(true))) return;
    if (await expireIfDue()) {
      renderList();
      return;
    }
    var held = await store.get('kiosk');
    var heldDoc = held && findDoc(held.doc);
    var heldSigner =
      heldDoc &&
      heldDoc.signers.find(function (s) {
        return s.id === held.signer;
      });
    var heldDone = heldSigner && localSignature(heldDoc, heldSigner);
    if (held && heldSigner && !heldDone) renderDocument(heldDoc, heldSigner);
    else if (held) handback(heldDone ? (heldDone.decline ? 'declined' : 'signed') : false);
    else renderList();
    app.setAttribute('data-ready', 'true');
  }

  start().catch(function (error) {
    message('この端末のデータを読めませんでした（' + error.message + '）。', 'error');
  });
})();
