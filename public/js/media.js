// Media library enhancements; every page works without them.
(function () {
  'use strict';

  // Refuse a file over the limit before it is sent, rather than after a long upload.
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input || input.type !== 'file' || !input.form || !input.form.hasAttribute('data-max-bytes')) return;
    var max = Number(input.form.getAttribute('data-max-bytes'));
    var file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > max ? input.form.getAttribute('data-too-large') || '' : '');
    input.reportValidity();
  });

  // While the variants are being made, check now and then and reload once they are there.
  document.addEventListener('DOMContentLoaded', function () {
    var el = document.querySelector('[data-media-status="processing"]');
    if (!el || !window.fetch) return;
    var url = el.getAttribute('data-media-json');
    var tries = 0;
    function check() {
      if (++tries > 60) return;
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (m) {
          if (m && m.status !== 'processing') window.location.reload();
          else window.setTimeout(check, 2000);
        })
        .catch(function () {
          window.setTimeout(check, 5000);
        });
    }
    window.setTimeout(check, 1500);
  });
})();
