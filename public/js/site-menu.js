// The site's main menu: a page with sub-pages opens them in a sub-menu (views/site/layout.ejs).
// The disclosure pattern: the page's link still leads to the page, the button next to it shows or
// hides its sub-pages (aria-expanded), Escape closes and gives the focus back to the button, and
// leaving the sub-menu (focus or click elsewhere) closes it. Without this script the button stays
// hidden and the page itself lists its sub-pages.
(function () {
  'use strict';

  var nav = document.querySelector('.site-nav');
  if (!nav) return;
  var toggles = Array.prototype.slice.call(nav.querySelectorAll('.sub-toggle'));

  function setOpen(toggle, open) {
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  function closeAll(except) {
    toggles.forEach(function (t) {
      if (t !== except) setOpen(t, false);
    });
  }

  toggles.forEach(function (toggle) {
    var item = toggle.closest('.has-sub');
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      closeAll(toggle);
      setOpen(toggle, open);
    });
    item.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || toggle.getAttribute('aria-expanded') !== 'true') return;
      e.preventDefault();
      setOpen(toggle, false);
      toggle.focus();
    });
    // Tab past the last sub-page (or Shift+Tab before the link): the sub-menu closes behind.
    item.addEventListener('focusout', function (e) {
      if (e.relatedTarget && !item.contains(e.relatedTarget)) setOpen(toggle, false);
    });
  });

  document.addEventListener('click', function (e) {
    if (!nav.contains(e.target)) closeAll(null);
  });
})();
