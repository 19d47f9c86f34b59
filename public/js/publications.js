// Keeps the channel panel's statuses current without reloading the page (every 5 seconds).
(function () {
  'use strict';
  var panel = document.querySelector('[data-publications-url]');
  if (!panel || !window.fetch) return;
  var url = panel.getAttribute('data-publications-url');
  var live = panel.querySelector('[data-live-region]');
  var last = {};

  function update(list) {
    list.forEach(function (p) {
      var badge = panel.querySelector('[data-status-for="' + p.accountId + '"]');
      if (badge && badge.textContent !== p.statusLabel) {
        if (last[p.accountId] && live) live.textContent = p.statusLabel;
        badge.textContent = p.statusLabel;
        badge.className = 'badge status-' + p.status;
      }
      var err = panel.querySelector('[data-error-for="' + p.accountId + '"]');
      if (err) err.textContent = p.lastError || '';
      last[p.accountId] = p.status;
    });
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (body) {
        if (body) update(body.publications);
      })
      .catch(function () {
        /* offline for a moment: try again at the next tick */
      });
  }
  setInterval(poll, 5000);
})();
