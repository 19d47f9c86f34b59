// Category ordering in the admin (views/admin/categories/index.ejs). Without this script each
// "Monter" or "Descendre" button saves one move at once. With it, rows move in the table
// (sortable.js: by drag on the handle, by the arrow keys on the handle, or by the buttons), each
// move is announced to screen readers, and "Enregistrer l'ordre" saves the whole order.
(function () {
  'use strict';

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form.category-order-form');
    if (!form || !window.CrieurSortable) return;
    form.querySelectorAll('.drag-handle, .order-help, .order-save').forEach(function (el) {
      el.hidden = false;
    });
    window.CrieurSortable.attach({
      list: form.querySelector('.category-order'),
      live: form.querySelector('.order-live'),
      unsaved: form.querySelector('.order-unsaved'),
      messages: {
        position: form.getAttribute('data-msg-position'),
        first: form.getAttribute('data-msg-first'),
        last: form.getAttribute('data-msg-last'),
      },
    });
  });
})();
