// Reordering a list in the page, shared by the menu (menu-order.js) and the categories
// (category-order.js). Each page's buttons post a form that works without this script; with it,
// items move in place by drag (mouse, finger or pen on the handle), by the arrow keys on the
// handle, or by the buttons marked data-move="up|down", and each move is announced in a live
// region so that screen-reader users hear where the item landed. The page then saves the order.
//
// window.CrieurSortable.attach({ list, live, unsaved, messages: { position, first, last }, onChange })
//   list      the element whose children are the items; each item has data-label
//   live      an aria-live element for the announcements
//   unsaved   shown once the order differs from the saved one (optional)
//   messages  templates with {label}, {n}, {total}
//   onChange  called after each move (optional), e.g. to renumber buttons
(function () {
  'use strict';

  function fill(template, vars) {
    return String(template || '').replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m;
    });
  }

  function attach(o) {
    var list = o.list;
    var live = o.live;
    var messages = o.messages || {};
    if (!list || !live) return null;

    function items() {
      return Array.prototype.slice.call(list.children);
    }

    function say(message) {
      // Emptied first so that the same sentence twice is announced twice.
      live.textContent = '';
      window.setTimeout(function () {
        live.textContent = message;
      }, 30);
    }

    function announce(item) {
      var all = items();
      say(fill(messages.position, { label: item.getAttribute('data-label'), n: all.indexOf(item) + 1, total: all.length }));
    }

    function changed() {
      if (o.onChange) o.onChange(items());
      if (o.unsaved) o.unsaved.hidden = false;
    }

    function move(item, direction, focusTarget) {
      var all = items();
      var i = all.indexOf(item);
      var j = direction === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= all.length) {
        say(fill(direction === 'up' ? messages.first : messages.last, { label: item.getAttribute('data-label') }));
        return;
      }
      if (direction === 'up') list.insertBefore(item, all[j]);
      else list.insertBefore(item, all[j].nextSibling);
      // Moving a node takes the focus away from it: give it back, so that arrows can go on.
      if (focusTarget) focusTarget.focus();
      changed();
      announce(item);
    }

    function itemOf(el) {
      var item = el;
      while (item && item.parentNode !== list) item = item.parentNode;
      return item;
    }

    list.addEventListener('click', function (e) {
      var button = e.target.closest('button[data-move]');
      if (!button || !list.contains(button)) return;
      e.preventDefault();
      move(itemOf(button), button.getAttribute('data-move'), button);
    });

    list.addEventListener('keydown', function (e) {
      var handle = e.target.closest('.drag-handle');
      if (!handle || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      e.preventDefault();
      move(itemOf(handle), e.key === 'ArrowUp' ? 'up' : 'down', handle);
    });

    // Dragging by the handle, with pointer events: the item follows the pointer over the others.
    var dragged = null;
    var startIndex = -1;
    list.addEventListener('pointerdown', function (e) {
      var handle = e.target.closest('.drag-handle');
      if (!handle) return;
      e.preventDefault();
      dragged = itemOf(handle);
      startIndex = items().indexOf(dragged);
      dragged.classList.add('dragging');
      handle.setPointerCapture(e.pointerId);
      handle.focus();
    });
    list.addEventListener('pointermove', function (e) {
      if (!dragged) return;
      var all = items();
      for (var k = 0; k < all.length; k++) {
        var other = all[k];
        if (other === dragged) continue;
        var box = other.getBoundingClientRect();
        if (e.clientY >= box.top && e.clientY <= box.bottom) {
          var before = e.clientY < box.top + box.height / 2;
          var target = before ? other : other.nextSibling;
          if (target !== dragged && target !== dragged.nextSibling) list.insertBefore(dragged, target);
          break;
        }
      }
    });
    function drop() {
      if (!dragged) return;
      var item = dragged;
      dragged = null;
      item.classList.remove('dragging');
      var handle = item.querySelector('.drag-handle');
      if (handle) handle.focus();
      if (items().indexOf(item) !== startIndex) changed();
      announce(item);
    }
    list.addEventListener('pointerup', drop);
    list.addEventListener('pointercancel', drop);

    return { items: items, move: move };
  }

  window.CrieurSortable = { attach: attach, fill: fill };
})();
