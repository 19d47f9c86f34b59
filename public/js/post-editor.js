// The channels page: a live counter under each network's text, counted the network's way by
// post-count.js (the very file the server counts with), the parts of a thread cut by post-split.js
// (the very file the server cuts with), and the previews kept in step.
(function () {
  'use strict';
  var PostCount = window.CrieurPostCount;
  var PostSplit = window.CrieurPostSplit;
  if (!PostCount) return;
  var URL_RE = /(https?:\/\/[^\s<>"]+)/;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, k) {
      return values[k] !== undefined ? String(values[k]) : '';
    });
  }

  function same(a, b) {
    return a.replace(/\r\n?/g, '\n').trim() === b.replace(/\r\n?/g, '\n').trim();
  }

  // The preview's text, addresses as links, built from nodes: never from typed HTML.
  function showText(target, text) {
    while (target.firstChild) target.removeChild(target.firstChild);
    text.split(URL_RE).forEach(function (piece) {
      if (!piece) return;
      if (URL_RE.test(piece) && /^https?:\/\//.test(piece)) {
        var a = document.createElement('a');
        a.href = piece;
        a.className = 'preview-link';
        a.textContent = piece;
        target.appendChild(a);
      } else {
        target.appendChild(document.createTextNode(piece));
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-post-text]'), function (box) {
    var id = box.getAttribute('data-post-text');
    var limit = Number(box.getAttribute('data-limit'));
    var count = PostCount.counter(box.getAttribute('data-method'));
    var area = box.querySelector('textarea');
    var counter = box.querySelector('[data-count-for]');
    var thread = box.querySelector('[data-thread-for]');
    var enabled = document.querySelector('input[name="channel_' + id + '_enabled"]');
    var preview = document.querySelector('[data-preview-for="' + id + '"]');
    var partsList = box.querySelector('[data-parts-for]');
    if (!area || !counter) return;

    // The thread's parts, each with its count, as the server will post them; the preview shows
    // them as separate messages.
    function showParts(parts) {
      if (partsList) {
        while (partsList.firstChild) partsList.removeChild(partsList.firstChild);
        (parts || []).forEach(function (part, i) {
          var li = document.createElement('li');
          li.setAttribute('data-part', String(i + 1));
          li.textContent = fill(box.getAttribute('data-label-part') || '', { n: i + 1, count: count(part), limit: limit });
          partsList.appendChild(li);
        });
        partsList.hidden = !parts;
      }
      if (!preview) return;
      var whole = preview.querySelector('[data-preview-text]');
      var list = preview.querySelector('[data-preview-parts]');
      if (!list || !whole) return;
      while (list.firstChild) list.removeChild(list.firstChild);
      (parts || []).forEach(function (part) {
        var p = document.createElement('p');
        p.className = 'preview-text preview-part';
        p.setAttribute('data-preview-part', '');
        showText(p, part);
        list.appendChild(p);
      });
      list.hidden = !parts;
      whole.hidden = !!parts;
    }

    function update() {
      var n = count(area.value);
      var asThread = !!(thread && thread.checked);
      var key = n > limit ? (asThread ? 'data-label-thread' : 'data-label-over') : 'data-label-count';
      counter.textContent = fill(box.getAttribute(key) || '', { count: n, limit: limit, over: n - limit });
      counter.classList.toggle('over', n > limit && !asThread);
      if (n > limit && !asThread) area.setAttribute('aria-invalid', 'true');
      else if (!box.querySelector('.field-error')) area.removeAttribute('aria-invalid');
      if (preview) {
        var target = preview.querySelector('[data-preview-text]');
        if (target) showText(target, area.value);
        var note = preview.querySelector('[data-preview-thread]');
        if (note) note.hidden = !asThread;
      }
      showParts(asThread && PostSplit ? PostSplit.splitIntoParts(area.value.replace(/\r\n?/g, '\n'), { limit: limit, count: count }) : null);
    }

    area.addEventListener('input', update);
    if (thread) {
      thread.addEventListener('change', function () {
        // A text still as generated follows the choice: the thread's default puts the link first.
        var single = box.getAttribute('data-default-single') || '';
        var threaded = box.getAttribute('data-default-thread') || '';
        if (thread.checked && same(area.value, single) && threaded) area.value = threaded;
        else if (!thread.checked && same(area.value, threaded)) area.value = single;
        update();
      });
    }
    if (enabled && preview) {
      enabled.addEventListener('change', function () {
        preview.hidden = !enabled.checked;
      });
    }
    update();
  });
})();
