// The home visit's views: each signer's line on the list, and the signing form: the signing page's own form
// (views/partials/sign-form.hbs, in a <template> of /visit) for one signer, with only the fields their role is
// asked, and what was entered read back from it.
(function () {
  var $ = function (id) {
    return document.getElementById(id);
  };
  function jst(iso) {
    return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var REFUSAL_TITLES = {
    DOCUMENT_CHANGED: '書類が取り下げ・訂正されました',
    ALREADY_SIGNED: '別の方法で署名済みです',
    REQUEST_CLOSED: '署名依頼が取り消されました',
    VISIT_EXPIRED: '訪問の期限が過ぎました',
    INVALID_REQUEST: '署名の内容に不備があります',
    NOT_YOUR_TURN: '署名の順番が来ていません',
  };

  function signerItem(doc, signer, local, withRefusal) {
    var item = el('li');
    var label = signer.name + '（' + signer.roleLabel + '）: ';
    if (local && local.state === 'pending') label += (local.decline ? '辞退' : '署名済み') + '・未送信（' + jst(local.signedAt) + ' この端末）';
    else if (local && local.state === 'refused') label += '受け付けられませんでした';
    else if (signer.status === 'signed') label += '署名済み';
    else if (signer.status === 'declined') label += '辞退';
    else if (!doc.signable) label += '署名の受付は終わりました（取り下げ・取消など）';
    else if (!signer.signsHere) label += 'この訪問では署名しません（メール等）';
    else label += '未署名';
    item.appendChild(el('span', {}, label));
    if (local && local.state === 'refused' && withRefusal) {
      var why = el('div', { class: 'notice warn' });
      why.appendChild(el('strong', {}, REFUSAL_TITLES[local.refusal.code] || '受け付けられませんでした'));
      why.appendChild(el('p', {}, local.refusal.message));
      why.appendChild(el('button', { type: 'button', class: 'secondary', 'data-action': 'discard', 'data-signature': local.id }, 'この署名を破棄する'));
      item.appendChild(why);
    }
    if (!local && signer.signsHere)
      item.appendChild(el('button', { type: 'button', 'data-action': 'sign', 'data-doc': doc.id, 'data-signer': signer.id }, signer.name + ' さんが署名する'));
    return item;
  }

  /** Only what is still to be signed here (or waiting on the device) stays on it: a document done is deleted. */
  function trim(visit, signatures) {
    var waiting = signatures.map(function (s) {
      return s.visitDocumentId;
    });
    visit.documents = visit.documents.filter(function (d) {
      return (
        waiting.indexOf(d.id) >= 0 ||
        d.signers.some(function (s) {
          return s.signsHere;
        })
      );
    });
    return visit;
  }

  /** The signing page's form, for this signer: only the fields their role is asked. */
  function build(signer, onSubmit, onDecline) {
    var template = $(signer.staffSigner ? 'sign-form-staff' : 'sign-form-patient');
    var fragment = template.content.cloneNode(true);
    var form = fragment.querySelector('#sign-form');
    var decline = fragment.querySelector('#decline-form');
    if (!signer.needsRelation) remove(form.querySelector('#relation'));
    else form.querySelector('#relation').value = signer.relation || '';
    if (!signer.isProxy) remove(form.querySelector('#proxyReason'));
    var wrapper = el('div');
    wrapper.appendChild(fragment);
    // Attached once in the page, so that the pad measures its real size.
    setTimeout(function () {
      if (window.renkeiSignatureForm) window.renkeiSignatureForm(form);
      form.addEventListener('submit', onSubmit);
      if (decline) decline.addEventListener('submit', onDecline);
    }, 0);
    return wrapper;
  }

  function remove(input) {
    if (input) input.closest('.field').remove();
  }

  /** What the form gives; what the role asks is checked here only for presence, fully by the server when sent. */
  function fieldsOf(form) {
    var value = function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      return input ? input.value.trim() : undefined;
    };
    var kind = form.querySelector('input[name="signatureKind"]:checked');
    return {
      consent: form.querySelector('#consent').checked,
      signatureKind: kind ? kind.value : undefined,
      signatureImage: kind && kind.value === 'drawn' ? value('signatureImage') : undefined,
      typedName: kind && kind.value === 'typed' ? value('typedName') : undefined,
      relation: value('relation'),
      proxyReason: value('proxyReason'),
    };
  }

  function incomplete(form, signature) {
    var problems = [];
    if (!signature.consent) problems.push(['consent', '内容を確認し、同意する場合はチェックを入れてください']);
    if (signature.relation === '') problems.push(['relation', '患者さまとの続柄を入力してください']);
    if (signature.proxyReason === '') problems.push(['proxyReason', '代筆する理由を入力してください（例: 手の震えのため）']);
    if (signature.signatureKind === 'drawn' && !signature.signatureImage) problems.push(['signature-pad', '署名欄に指で署名してください']);
    if (signature.signatureKind === 'typed' && !signature.typedName) problems.push(['typedName', 'お名前を入力してください']);
    form.querySelectorAll('.field-error, .error-summary').forEach(function (node) {
      node.remove();
    });
    if (problems.length === 0) return false;
    var summary = el('div', { class: 'error-summary', role: 'alert' });
    summary.appendChild(el('h2', {}, '入力内容を確認してください'));
    var ul = el('ul');
    problems.forEach(function (p) {
      ul.appendChild(el('li', {}, p[1]));
    });
    summary.appendChild(ul);
    form.prepend(summary);
    summary.scrollIntoView();
    return true;
  }

  window.renkeiVisitViews = { build: build, read: fieldsOf, incomplete: incomplete, signerItem: signerItem, el: el, jst: jst, trim: trim };
})();
