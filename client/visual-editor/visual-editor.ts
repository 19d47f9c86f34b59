import { Editor, Extension } from '@tiptap/core';
import { h, uid } from './dom';
import { editorExtensions } from './extensions';
import { ImageDialog } from './image-dialog';
import { LinkDialog } from './link-dialog';
import { cleanPastedHtml } from './paste';
import { say, type Strings } from './strings';
import { Toolbar, type ToolSpec } from './toolbar';

type Mode = 'visual' | 'markdown';
const MODE_KEY = 'crieur.editor.mode';

function storedMode(): Mode {
  try {
    return window.localStorage.getItem(MODE_KEY) === 'markdown' ? 'markdown' : 'visual';
  } catch {
    return 'visual';
  }
}
function storeMode(mode: Mode): void {
  try {
    window.localStorage.setItem(MODE_KEY, mode);
  } catch {
    /* private browsing: the choice lasts for this page only */
  }
}

/**
 * Turns a Markdown <textarea data-visual-editor> into the visual editor. The textarea stays in
 * the form and keeps the Markdown the server reads: the editor writes it back after every change
 * and before the form is sent, so that saving, the local draft and every other script see the
 * same text as without JavaScript. "Markdown" shows the textarea itself again.
 */
export function enhance(textarea: HTMLTextAreaElement, S: Strings): void {
  if (textarea.dataset.visualEditorReady) return;
  textarea.dataset.visualEditorReady = '1';
  if (!textarea.id) textarea.id = uid('visual-editor-source');
  const label = document.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(textarea.id)}"]`);
  if (label && !label.id) label.id = uid('visual-editor-label');
  const contentId = uid('visual-editor');
  const field = textarea.closest('.field') ?? textarea.parentElement;
  // Hints about Markdown syntax (data-markdown-hint) only make sense when the Markdown is shown.
  const markdownHints = [...(field?.querySelectorAll<HTMLElement>('[data-markdown-hint]') ?? [])];
  const hintIds = new Set(markdownHints.map((el) => el.id));
  const describedBy = (textarea.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && !hintIds.has(id))
    .join(' ');

  const status = h('p', { class: 'visually-hidden', role: 'status' });
  const announce = (message: string) => {
    status.textContent = '';
    // A change of text is what makes a live region speak, even for the same message twice.
    window.setTimeout(() => (status.textContent = message), 50);
  };

  let link: LinkDialog | null = null;
  let image: ImageDialog | null = null;
  let lastMarkdown = textarea.value;
  let syncTimer = 0;
  // Only a change made in the editor rewrites the Markdown: opening a text, or switching to the
  // Markdown and back, leaves it exactly as it was written.
  let edited = false;
  const sync = () => {
    window.clearTimeout(syncTimer);
    syncTimer = 0;
    if (!edited) return;
    edited = false;
    const md = editor.getMarkdown().replace(/\s+$/, '');
    if (md === lastMarkdown) return;
    lastMarkdown = md;
    textarea.value = md;
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  };

  const surface = h('div', { class: 've-surface' });
  // The toolbar (sticky at the top) and the form's action bar (sticky at the bottom) cover part of
  // the window: the line being typed is scrolled clear of both, not left under one of them.
  let toolbarElement: HTMLElement | null = null;
  const clearance = {
    get top() {
      return (toolbarElement?.offsetHeight ?? 0) + 8;
    },
    get bottom() {
      return (textarea.form?.querySelector<HTMLElement>('.sticky-actions')?.offsetHeight ?? 0) + 8;
    },
    left: 5,
    right: 5,
  };
  const shortcuts = Extension.create({
    name: 'crieurShortcuts',
    addKeyboardShortcuts: () => ({
      'Mod-k': () => {
        link?.open();
        return true;
      },
    }),
  });
  const editor = new Editor({
    element: surface,
    // Tiptap would add a <style> element, which the page's CSP refuses: public/css/editor.css has it.
    injectCSS: false,
    extensions: [...editorExtensions(), shortcuts],
    content: textarea.value,
    contentType: 'markdown',
    editorProps: {
      scrollThreshold: clearance,
      scrollMargin: clearance,
      attributes: {
        id: contentId,
        class: 've-content prose',
        role: 'textbox',
        'aria-multiline': 'true',
        ...(label ? { 'aria-labelledby': label.id } : { 'aria-label': say(S, 'text') }),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(textarea.getAttribute('aria-invalid') === 'true' ? { 'aria-invalid': 'true' } : {}),
        spellcheck: 'true',
      },
      transformPastedHTML: (html: string) => {
        const cleaned = cleanPastedHtml(html);
        if (cleaned.droppedImages > 0) announce(say(S, 'pasteImagesDropped'));
        return cleaned.html;
      },
    },
    onUpdate: () => {
      edited = true;
      window.clearTimeout(syncTimer);
      syncTimer = window.setTimeout(sync, 250);
    },
    onTransaction: () => toolbar?.refresh(),
    onBlur: () => sync(),
  });

  const groups: ToolSpec[][] = [
    [
      {
        name: 'heading2',
        keys: 'Control+Alt+2',
        run: () => editor.chain().focus().toggleHeading({ level: 2 }).run(),
        active: () => editor.isActive('heading', { level: 2 }),
      },
      {
        name: 'heading3',
        keys: 'Control+Alt+3',
        run: () => editor.chain().focus().toggleHeading({ level: 3 }).run(),
        active: () => editor.isActive('heading', { level: 3 }),
      },
    ],
    [
      { name: 'bold', keys: 'Control+B', run: () => editor.chain().focus().toggleBold().run(), active: () => editor.isActive('bold') },
      { name: 'italic', keys: 'Control+I', run: () => editor.chain().focus().toggleItalic().run(), active: () => editor.isActive('italic') },
      { name: 'link', keys: 'Control+K', run: () => link?.open(), active: () => editor.isActive('link') },
    ],
    [
      { name: 'bulletList', keys: 'Control+Shift+8', run: () => editor.chain().focus().toggleBulletList().run(), active: () => editor.isActive('bulletList') },
      {
        name: 'orderedList',
        keys: 'Control+Shift+7',
        run: () => editor.chain().focus().toggleOrderedList().run(),
        active: () => editor.isActive('orderedList'),
      },
      { name: 'quote', keys: 'Control+Shift+B', run: () => editor.chain().focus().toggleBlockquote().run(), active: () => editor.isActive('blockquote') },
    ],
    [
      {
        name: 'table',
        run: () => {
          if (editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()) announce(say(S, 'tableInserted'));
        },
        enabled: () => !editor.isActive('table'),
      },
      { name: 'image', run: () => image?.open(), active: () => editor.isActive('image') },
    ],
    [
      { name: 'undo', keys: 'Control+Z', run: () => editor.chain().focus().undo().run(), enabled: () => editor.can().undo() },
      { name: 'redo', keys: 'Control+Shift+Z', run: () => editor.chain().focus().redo().run(), enabled: () => editor.can().redo() },
    ],
  ];
  const tableTools: ToolSpec[] = [
    { name: 'rowAfter', run: () => editor.chain().focus().addRowAfter().run(), enabled: () => editor.can().addRowAfter() },
    { name: 'columnAfter', run: () => editor.chain().focus().addColumnAfter().run(), enabled: () => editor.can().addColumnAfter() },
    { name: 'deleteRow', run: () => editor.chain().focus().deleteRow().run(), enabled: () => editor.can().deleteRow() },
    { name: 'deleteColumn', run: () => editor.chain().focus().deleteColumn().run(), enabled: () => editor.can().deleteColumn() },
    {
      name: 'deleteTable',
      run: () => {
        if (editor.chain().focus().deleteTable().run()) announce(say(S, 'tableDeleted'));
      },
      enabled: () => editor.can().deleteTable(),
    },
  ];

  const modeButton = h(
    'button',
    { type: 'button', class: 've-button', 'aria-pressed': 'false', 'aria-controls': `${contentId} ${textarea.id}` },
    say(S, 'markdown'),
  );
  const toolbar: Toolbar = new Toolbar(editor, S, groups, tableTools, modeButton, contentId);
  toolbarElement = toolbar.element;
  const wrapper = h('div', { class: 'visual-editor' }, toolbar.element, surface, status);
  textarea.before(wrapper);
  link = new LinkDialog(editor, S, announce);
  image = new ImageDialog(
    editor,
    S,
    {
      list: textarea.dataset.mediaUrl ?? '/admin/media.json',
      item: textarea.dataset.mediaItemUrl ?? '/admin/media/{id}.json',
      upload: textarea.dataset.mediaUploadUrl ?? '/admin/media',
      csrf: () => textarea.form?.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '',
    },
    announce,
  );
  wrapper.append(link.dialog, image.dialog);

  /**
   * The textarea's Markdown into the editor, as it is when the editor is ready. Tiptap finishes
   * creating an editor a moment after building it, and only then registers the link extension's
   * protocols with linkify; a text set before that (a local draft restored as the page opens) ran
   * linkify first, which then refused the protocols with a console warning.
   */
  const load = () => {
    window.clearTimeout(syncTimer);
    editor.commands.setContent(textarea.value, { contentType: 'markdown', emitUpdate: false });
    lastMarkdown = textarea.value;
    edited = false;
  };
  // isInitialized turns true only after the 'create' handlers have run.
  const reload = () => (editor.isInitialized ? load() : editor.once('create', load));

  let mode: Mode = 'visual';
  const setMode = (next: Mode, focus: boolean) => {
    if (next === 'markdown') sync();
    else if (textarea.value !== lastMarkdown || mode === 'markdown') reload();
    mode = next;
    const visual = next === 'visual';
    surface.hidden = !visual;
    textarea.hidden = visual;
    wrapper.classList.toggle('ve-markdown', !visual);
    modeButton.setAttribute('aria-pressed', String(!visual));
    toolbar.setFormattingEnabled(visual);
    for (const hint of markdownHints) hint.hidden = visual;
    textarea.setAttribute('data-visual-editor-mode', next);
    textarea.dispatchEvent(new CustomEvent('visual-editor:mode', { bubbles: true, detail: { mode: next } }));
    if (focus) (visual ? () => editor.commands.focus() : () => textarea.focus())();
  };
  modeButton.addEventListener('click', () => {
    const next: Mode = mode === 'visual' ? 'markdown' : 'visual';
    storeMode(next);
    setMode(next, true);
    announce(say(S, next === 'visual' ? 'modeVisual' : 'modeMarkdown'));
  });
  setMode(storedMode(), false);

  // Clicking the field's label puts the cursor in the text, as it does for the textarea.
  label?.addEventListener('click', (e) => {
    if (mode !== 'visual') return;
    e.preventDefault();
    editor.commands.focus();
  });

  const form = textarea.form;
  if (form) {
    // Capture: the text is written back before any other script reads the form.
    form.addEventListener('submit', sync, true);
    form.addEventListener('formdata', sync);
    // Another script changed the textarea (a local draft restored or discarded): the editor follows.
    form.addEventListener('input', (e) => {
      if (e.target === textarea || mode !== 'visual' || textarea.value === lastMarkdown) return;
      reload();
    });
  }
  toolbar.refresh();
}
