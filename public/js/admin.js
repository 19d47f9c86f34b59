// Crieur admin enhancements. Every page works without them; they add confirmations, previews and warnings.
(function () {
  'use strict';

  // Confirmation before destructive actions: <form data-confirm="Supprimer ?">
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var message = form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) e.preventDefault();
  });

  // Focus the first error so that keyboard and screen-reader users hear it.
  document.addEventListener('DOMContentLoaded', function () {
    var el = document.querySelector('[data-autofocus]');
    if (el) el.focus();
  });

  // On a phone the admin menu folds behind its button; the layout shows it open until this runs.
  (function foldMenu() {
    var toggle = document.getElementById('menu-toggle');
    var menu = document.getElementById('admin-menu');
    var bar = toggle && toggle.closest('.topbar');
    if (!toggle || !menu || !bar) return;
    var setOpen = function (open) {
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      bar.classList.toggle('menu-open', open);
    };
    toggle.hidden = false;
    bar.classList.add('menu-folds');
    setOpen(false);
    toggle.addEventListener('click', function () {
      setOpen(toggle.getAttribute('aria-expanded') !== 'true');
    });
    // Escape closes the open menu from anywhere in it, and gives the focus back to its button.
    bar.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || toggle.getAttribute('aria-expanded') !== 'true' || toggle.offsetParent === null) return;
      setOpen(false);
      toggle.focus();
    });
  })();

  // "Copier le lien": <button data-copy="field-id" data-copied="Lien copié.">, hidden until this runs.
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function () {
        if (status) status.textContent = button.getAttribute('data-copied') || '';
      };
      field.focus();
      field.select();
      // The clipboard API needs HTTPS (or localhost); the selection stays for a manual copy otherwise.
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () {});
      else if (document.execCommand && document.execCommand('copy')) done();
    });
  });
})();
