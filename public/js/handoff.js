// The hand-off page: a "copy the text" button (shown only where the clipboard can be written).
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('[data-copy-from]'), function (button) {
    var source = document.getElementById(button.getAttribute('data-copy-from'));
    var status = button.parentNode.querySelector('[data-copy-status]');
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.value).then(
        function () {
          if (status) status.textContent = button.getAttribute('data-copied');
        },
        function () {
          source.select();
        },
      );
    });
  });
})();
