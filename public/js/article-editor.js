// The article editor's enhancements: unsaved-changes warning, local draft, character counter,
// slug preview, Markdown preview, image search and upload. The form works without any of them.
(function () {
  'use strict';

  var form = document.getElementById('article-form');
  if (!form) return;
  var msg = function (name, vars) {
    var text = form.getAttribute('data-msg-' + name) || '';
    Object.keys(vars || {}).forEach(function (k) {
      text = text.split('{' + k + '}').join(String(vars[k]));
    });
    return text;
  };
  var byId = function (id) {
    return document.getElementById(id);
  };
  var csrf = form.getAttribute('data-csrf');

  Array.prototype.forEach.call(document.querySelectorAll('.no-js-only'), function (el) {
    el.hidden = true;
  });

  // --- Unsaved changes: a warning before leaving, and a copy kept in this browser ---------------
  var DRAFTED = ['title', 'slug', 'summary', 'body', 'categoryId', 'heroAlt', 'eventStart', 'eventEnd', 'eventPlace', 'publishAt'];
  var draftKey = form.getAttribute('data-draft-key');
  var dirty = false;
  var submitting = false;
  var saveTimer = null;

  function fieldValues() {
    var v = {};
    DRAFTED.forEach(function (name) {
      var el = form.elements[name];
      if (el) v[name] = el.value;
    });
    var urgent = form.elements.urgent;
    v.urgent = urgent && urgent.checked ? '1' : '';
    var hero = form.querySelector('input[name="heroMediaId"]:checked');
    v.heroMediaId = hero ? hero.value : '';
    return v;
  }
  function applyValues(v) {
    DRAFTED.forEach(function (name) {
      var el = form.elements[name];
      if (el && typeof v[name] === 'string') el.value = v[name];
    });
    if (form.elements.urgent) form.elements.urgent.checked = v.urgent === '1';
    var radio = form.querySelector('input[name="heroMediaId"][value="' + (v.heroMediaId || '').replace(/[^0-9]/g, '') + '"]');
    if (radio) radio.checked = true;
    form.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function storage() {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }
  var initial = fieldValues();
  var same = function (a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  };

  function saveDraft() {
    var s = storage();
    if (!s || !draftKey) return;
    try {
      var v = fieldValues();
      if (same(v, initial)) s.removeItem(draftKey);
      else s.setItem(draftKey, JSON.stringify({ values: v, savedAt: Date.now() }));
    } catch {
      /* storage full or disabled: the beforeunload warning still protects the text */
    }
  }
  function clearDraft() {
    var s = storage();
    if (s && draftKey)
      try {
        s.removeItem(draftKey);
      } catch {
        /* nothing kept */
      }
  }

  form.addEventListener('input', function () {
    dirty = !same(fieldValues(), initial);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, 400);
  });
  form.addEventListener('change', function () {
    dirty = !same(fieldValues(), initial);
    saveDraft();
  });
  form.addEventListener('submit', function () {
    submitting = true;
    clearDraft();
  });
  window.addEventListener('beforeunload', function (e) {
    if (!dirty || submitting) return undefined;
    e.preventDefault();
    e.returnValue = '';
    return '';
  });

  // A page shown again with errors already holds the user's text: no restore then.
  var hasServerErrors = !!document.querySelector('.alert-error');
  (function restoreDraft() {
    var s = storage();
    if (!s || !draftKey || hasServerErrors) return;
    var saved = null;
    try {
      saved = JSON.parse(s.getItem(draftKey) || 'null');
    } catch {
      saved = null;
    }
    if (!saved || !saved.values || same(saved.values, initial)) return;
    applyValues(saved.values);
    dirty = true;
    var notice = byId('local-draft-notice');
    if (!notice) return;
    notice.hidden = false;
    byId('local-draft-discard').addEventListener('click', function () {
      applyValues(initial);
      clearDraft();
      dirty = false;
      notice.hidden = true;
      form.elements.title.focus();
    });
  })();

  // --- Summary: characters left, read out politely once typing pauses ---------------------------
  var summary = form.elements.summary;
  var count = byId('summary-count');
  var live = byId('summary-live');
  var liveTimer = null;
  function updateCount() {
    if (!summary || !count) return;
    var max = Number(count.getAttribute('data-max')) || 300;
    var left = max - summary.value.length;
    var text = left >= 0 ? msg('remaining', { n: left }) : msg('over', { n: -left });
    count.textContent = text;
    count.classList.toggle('counter-low', left < 30);
    clearTimeout(liveTimer);
    liveTimer = setTimeout(function () {
      if (live) live.textContent = text;
    }, 1000);
  }
  if (summary) {
    summary.addEventListener('input', updateCount);
    updateCount();
    if (live) live.textContent = '';
  }

  // --- Slug: shows the address the title will give when the field is left empty -----------------
  var LIG = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', þ: 'th', ð: 'd' };
  function slugify(text) {
    return text
      .toLowerCase()
      .replace(/[œæßøđłþð]/g, function (c) {
        return LIG[c];
      })
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 150)
      .replace(/-+$/, '');
  }
  var title = form.elements.title;
  var slug = form.elements.slug;
  function updateSlugPlaceholder() {
    if (slug && title) slug.placeholder = slugify(title.value);
  }
  if (title) {
    title.addEventListener('input', updateSlugPlaceholder);
    updateSlugPlaceholder();
  }

  // --- Markdown preview, rendered and sanitized by the server -----------------------------------
  var tabs = byId('editor-tabs');
  var body = form.elements.body;
  var preview = byId('body-preview');
  var tabWrite = byId('tab-write');
  var tabPreview = byId('tab-preview');
  function showWrite() {
    body.hidden = false;
    preview.hidden = true;
    tabWrite.setAttribute('aria-pressed', 'true');
    tabPreview.setAttribute('aria-pressed', 'false');
    body.focus();
  }
  function showPreview() {
    tabWrite.setAttribute('aria-pressed', 'false');
    tabPreview.setAttribute('aria-pressed', 'true');
    if (!body.value.trim()) {
      preview.textContent = msg('preview-empty');
      body.hidden = true;
      preview.hidden = false;
      preview.focus();
      return;
    }
    fetch(form.getAttribute('data-preview-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ body: body.value }),
    })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        preview.innerHTML = data.html;
      }) // sanitized by the server, same as a save
      .catch(function () {
        preview.textContent = msg('preview-failed');
      })
      .then(function () {
        body.hidden = true;
        preview.hidden = false;
        preview.focus();
      });
  }
  if (tabs && body && preview) {
    tabs.hidden = false;
    tabWrite.addEventListener('click', showWrite);
    tabPreview.addEventListener('click', showPreview);
    // The visual editor already shows the text as it will look: the preview serves the Markdown mode.
    var followEditorMode = function () {
      var visual = body.getAttribute('data-visual-editor-mode') === 'visual';
      tabs.hidden = visual;
      if (!visual) return;
      preview.hidden = true;
      tabWrite.setAttribute('aria-pressed', 'true');
      tabPreview.setAttribute('aria-pressed', 'false');
    };
    body.addEventListener('visual-editor:mode', followEditorMode);
    followEditorMode();
  }

  // --- Hero image: search the library, upload a new image ---------------------------------------
  var grid = byId('media-grid');
  var search = byId('media-search');
  var status = byId('media-status');
  var altInput = form.elements.heroAlt;
  var page = 1;
  var pages = 1;

  function onHeroChange(radio) {
    if (!altInput) return;
    var chosen = radio && radio.value;
    altInput.required = !!chosen;
    altInput.setAttribute('aria-required', chosen ? 'true' : 'false');
    if (chosen && !altInput.value && radio.getAttribute('data-alt')) altInput.value = radio.getAttribute('data-alt');
  }
  function choiceFor(item) {
    var label = document.createElement('label');
    label.className = 'media-choice';
    var input = document.createElement('input');
    input.type = 'radio';
    input.name = 'heroMediaId';
    input.value = String(item.id);
    input.setAttribute('data-alt', item.alt || '');
    label.appendChild(input);
    if (item.previewUrl) {
      var img = document.createElement('img');
      img.src = item.previewUrl;
      img.alt = '';
      img.loading = 'lazy';
      label.appendChild(img);
    }
    var span = document.createElement('span');
    span.textContent = item.name || '#' + item.id;
    label.appendChild(span);
    return label;
  }
  function renderItems(items) {
    var checked = form.querySelector('input[name="heroMediaId"]:checked');
    Array.prototype.slice.call(grid.querySelectorAll('.media-choice:not(.media-none)')).forEach(function (el) {
      if (!el.contains(checked)) el.remove();
    });
    items.forEach(function (item) {
      if (checked && checked.value === String(item.id)) return;
      grid.appendChild(choiceFor(item));
    });
  }
  function loadMedia(p) {
    status.textContent = msg('searching');
    var q = byId('media-q').value.trim();
    fetch(form.getAttribute('data-media-url') + '?q=' + encodeURIComponent(q) + '&page=' + p, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        page = data.page || 1;
        pages = data.pages || 1;
        renderItems(
          (data.items || []).filter(function (i) {
            return i.status !== 'failed';
          }),
        );
        status.textContent = data.total === 1 ? msg('media-one') : data.total ? msg('media-count', { count: data.total }) : msg('media-none');
        byId('media-pages').hidden = pages <= 1;
        byId('media-prev').disabled = page <= 1;
        byId('media-next').disabled = page >= pages;
      })
      .catch(function () {
        status.textContent = msg('media-failed');
      });
  }
  if (grid && search) {
    search.hidden = false;
    grid.addEventListener('change', function (e) {
      if (e.target.name === 'heroMediaId') onHeroChange(e.target);
    });
    onHeroChange(form.querySelector('input[name="heroMediaId"]:checked'));
    byId('media-search-btn').addEventListener('click', function () {
      loadMedia(1);
    });
    byId('media-q').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        e.preventDefault();
        loadMedia(1);
      }
    });
    byId('media-prev').addEventListener('click', function () {
      if (page > 1) loadMedia(page - 1);
    });
    byId('media-next').addEventListener('click', function () {
      if (page < pages) loadMedia(page + 1);
    });
  }

  var upload = byId('hero-upload');
  if (upload && grid) {
    upload.hidden = false;
    var uploadStatus = byId('upload-status');
    byId('upload-btn').addEventListener('click', function () {
      var file = byId('upload-file').files[0];
      var alt = byId('upload-alt').value.trim();
      if (!file || !alt) {
        uploadStatus.textContent = msg('upload-needs');
        return;
      }
      var data = new FormData();
      data.append('_csrf', csrf); // first, so that the server can check it before reading the file
      data.append('file', file);
      data.append('alt', alt);
      data.append('credit', byId('upload-credit').value.trim());
      uploadStatus.textContent = msg('uploading');
      fetch(form.getAttribute('data-upload-url'), { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' }, body: data })
        .then(function (r) {
          return r
            .json()
            .catch(function () {
              return {};
            })
            .then(function (json) {
              if (!r.ok) throw new Error(json.error || '');
              return json;
            });
        })
        .then(function (item) {
          var label = choiceFor({ id: item.id, name: file.name, alt: item.alt || alt, previewUrl: item.previewUrl });
          grid.insertBefore(label, grid.children[1] || null);
          var radio = label.querySelector('input');
          radio.checked = true;
          if (altInput) altInput.value = item.alt || alt;
          onHeroChange(radio);
          form.dispatchEvent(new Event('input', { bubbles: true }));
          uploadStatus.textContent = msg('uploaded');
          byId('upload-file').value = '';
        })
        .catch(function (err) {
          uploadStatus.textContent = msg('upload-failed') + (err.message ? ' ' + err.message : '');
        });
    });
  }
})();
