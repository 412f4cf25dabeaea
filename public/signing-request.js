// The signing-request form: each row's 方法 follows its e-mail field (an address: メール; none: 対面) until the
// office picks a 方法 itself. Without this script the form's 「自動」 option lets the server decide the same way.
(function () {
  var selects = document.querySelectorAll('select.signing-method');
  Array.prototype.forEach.call(selects, function (select) {
    var email = document.getElementById(select.dataset.email);
    var auto = select.querySelector('option[value=""]');
    if (!email || !auto) return;
    var follows = select.value === '';
    function follow() {
      if (follows) select.value = email.value.trim() ? 'email' : 'in_person';
    }
    auto.remove();
    follow();
    email.addEventListener('input', follow);
    select.addEventListener('change', function () { follows = false; });
    var help = document.getElementById(select.getAttribute('aria-describedby'));
    if (help && follows) help.textContent = 'メールアドレスを入れるとメールに、消すと対面に切り替わります';
  });
})();
