// Keeps a campaign's send progress current without reloading the page (every 5 seconds). The
// page works without it: the bar and counts are rendered by the server, with a refresh link.
(function () {
  'use strict';
  var box = document.querySelector('[data-progress-url]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-progress-url');
  var state = null;

  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (!el) return;
    if (name === 'percent') el.value = value;
    else if (name === 'waiting' || name === 'reason') {
      el.textContent = value || '';
      el.hidden = !value;
    } else el.textContent = value === '' ? '—' : String(value);
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (p) {
        if (!p) return;
        ['stateLabel', 'percent', 'sent', 'remaining', 'failed', 'timeLeft', 'waiting', 'reason'].forEach(function (k) {
          set(k, p[k]);
        });
        set('percentText', p.percent + ' %');
        // A change of state (paused, done) changes the buttons: the page is reloaded once.
        if (state !== null && state !== p.state) window.location.reload();
        state = p.state;
      })
      .catch(function () {
        /* offline for a moment: try again at the next tick */
      });
  }
  setInterval(poll, 5000);
})();
