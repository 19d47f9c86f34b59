// Menu ordering in the admin (views/admin/pages/menu.ejs). Without this script every "Monter",
// "Descendre" and "Retirer" button posts the form and the server saves the new order. With it,
// entries move in the page (by drag, by the arrow keys on their handle, or by the buttons), each
// move is announced to screen readers, and "Enregistrer l'ordre" saves.
(function () {
  'use strict';

  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m;
    });
  }

  function setUp(form) {
    var list = form.querySelector('.menu-order');
    var live = form.querySelector('.menu-live');
    var unsaved = form.querySelector('.menu-unsaved');
    if (!list || !live) return;
    form.querySelectorAll('.drag-handle, .menu-help').forEach(function (el) {
      el.hidden = false;
    });
    var nojs = form.querySelector('.menu-help-nojs');
    if (nojs) nojs.hidden = true;

    function entries() {
      return Array.prototype.slice.call(list.children);
    }

    // The buttons name an entry by its position: keep them right after each move (Retirer still posts).
    function renumber() {
      entries().forEach(function (li, i) {
        li.querySelectorAll('button[name="action"]').forEach(function (b) {
          b.value = b.value.replace(/:\d+$/, ':' + i);
        });
      });
    }

    function say(message) {
      // Emptied first so that the same sentence twice is announced twice.
      live.textContent = '';
      window.setTimeout(function () {
        live.textContent = message;
      }, 30);
    }

    function announce(li) {
      var all = entries();
      say(fill(form.getAttribute('data-msg-position'), { label: li.getAttribute('data-label'), n: all.indexOf(li) + 1, total: all.length }));
    }

    function changed() {
      renumber();
      if (unsaved) unsaved.hidden = false;
    }

    function move(li, direction, focusTarget) {
      var all = entries();
      var i = all.indexOf(li);
      var j = direction === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= all.length) {
        say(fill(form.getAttribute(direction === 'up' ? 'data-msg-first' : 'data-msg-last'), { label: li.getAttribute('data-label') }));
        return;
      }
      if (direction === 'up') list.insertBefore(li, all[j]);
      else list.insertBefore(li, all[j].nextSibling);
      // Moving a node takes the focus away from it: give it back, so arrows can go on.
      if (focusTarget) focusTarget.focus();
      changed();
      announce(li);
    }

    list.addEventListener('click', function (e) {
      var button = e.target.closest('button[data-move]');
      if (!button) return;
      e.preventDefault();
      move(button.closest('li'), button.getAttribute('data-move'), button);
    });

    list.addEventListener('keydown', function (e) {
      var handle = e.target.closest('.drag-handle');
      if (!handle || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      e.preventDefault();
      move(handle.closest('li'), e.key === 'ArrowUp' ? 'up' : 'down', handle);
    });

    // Dragging by the handle, with the mouse, a finger or a pen (pointer events).
    var dragged = null;
    list.addEventListener('pointerdown', function (e) {
      var handle = e.target.closest('.drag-handle');
      if (!handle) return;
      e.preventDefault();
      dragged = handle.closest('li');
      dragged.classList.add('dragging');
      handle.setPointerCapture(e.pointerId);
      handle.focus();
    });
    list.addEventListener('pointermove', function (e) {
      if (!dragged) return;
      var all = entries();
      for (var k = 0; k < all.length; k++) {
        var other = all[k];
        if (other === dragged) continue;
        var box = other.getBoundingClientRect();
        if (e.clientY >= box.top && e.clientY <= box.bottom) {
          var before = e.clientY < box.top + box.height / 2;
          var target = before ? other : other.nextSibling;
          if (target !== dragged && target !== dragged.nextSibling) {
            list.insertBefore(dragged, target);
            changed();
          }
          break;
        }
      }
    });
    function drop() {
      if (!dragged) return;
      var li = dragged;
      dragged = null;
      li.classList.remove('dragging');
      var handle = li.querySelector('.drag-handle');
      if (handle) handle.focus();
      announce(li);
    }
    list.addEventListener('pointerup', drop);
    list.addEventListener('pointercancel', drop);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form.menu-form').forEach(setUp);
  });
})();
