// Menu ordering in the admin (views/admin/pages/menu.ejs). Without this script every "Monter",
// "Descendre" and "Retirer" button posts the form and the server saves the new order. With it,
// entries move in the page (sortable.js: by drag, by the arrow keys on their handle, or by the
// buttons), each move is announced to screen readers, and "Enregistrer l'ordre" saves.
(function () {
  'use strict';

  function setUp(form) {
    var list = form.querySelector('.menu-order');
    var live = form.querySelector('.menu-live');
    if (!list || !live || !window.CrieurSortable) return;
    form.querySelectorAll('.drag-handle, .menu-help').forEach(function (el) {
      el.hidden = false;
    });
    var nojs = form.querySelector('.menu-help-nojs');
    if (nojs) nojs.hidden = true;

    window.CrieurSortable.attach({
      list: list,
      live: live,
      unsaved: form.querySelector('.menu-unsaved'),
      messages: {
        position: form.getAttribute('data-msg-position'),
        first: form.getAttribute('data-msg-first'),
        last: form.getAttribute('data-msg-last'),
      },
      // The buttons name an entry by its position: keep them right after each move (Retirer still posts).
      onChange: function (entries) {
        entries.forEach(function (li, i) {
          li.querySelectorAll('button[name="action"]').forEach(function (b) {
            b.value = b.value.replace(/:\d+$/, ':' + i);
          });
        });
      },
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form.menu-form').forEach(setUp);
  });
})();
