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
})();
