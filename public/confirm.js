// Confirmation before an irreversible or outgoing action: a form with the hidden field _confirm asks in a
// <dialog> first. 実行 sends the form without the field (the server then does it); 戻る closes the dialog.
// Without this script the server answers the same question as a page of its own.
(function () {
  if (typeof HTMLDialogElement !== 'function') return;
  var dialog = null;
  var pending = null;
  var submitter = null;

  function build() {
    dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    dialog.setAttribute('aria-describedby', 'confirm-lead');
    dialog.innerHTML =
      '<h2 id="confirm-title"></h2><p id="confirm-lead"></p>' +
      '<form method="dialog" class="actions"><button type="submit" value="run" id="confirm-run"></button>' +
      '<button type="submit" value="back" class="plain" id="confirm-back">戻る</button></form>';
    document.body.appendChild(dialog);
    dialog.addEventListener('close', function () {
      var form = pending;
      var button = submitter;
      pending = null;
      submitter = null;
      if (!form || dialog.returnValue !== 'run') return;
      ['_confirm', '_back'].forEach(function (name) {
        var field = form.querySelector('input[name="' + name + '"]');
        if (field) field.remove();
      });
      if (form.requestSubmit && button) form.requestSubmit(button);
      else if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
    var field = form.querySelector('input[name="_confirm"]');
    if (!field) return;
    event.preventDefault();
    if (!dialog) build();
    pending = form;
    submitter = event.submitter || null;
    dialog.querySelector('#confirm-title').textContent = field.dataset.title;
    dialog.querySelector('#confirm-lead').textContent = field.dataset.lead;
    var run = dialog.querySelector('#confirm-run');
    run.textContent = field.dataset.submit;
    run.className = field.hasAttribute('data-danger') ? 'secondary' : '';
    dialog.returnValue = '';
    dialog.showModal();
    dialog.querySelector('#confirm-back').focus();
  });
})();
