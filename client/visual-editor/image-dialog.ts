import type { Editor } from '@tiptap/core';
import { NodeSelection } from '@tiptap/pm/state';
import { h, onEnter, uid } from './dom';
import { OWN_MEDIA } from './extensions';
import { insertImageOnItsOwnLine } from './image-place';
import { say, type Strings } from './strings';

interface PickerItem {
  id: number;
  name: string;
  alt: string;
  previewUrl: string | null;
  status: string;
}
interface Variant {
  kind: string;
  format: string;
  width: number;
  url: string;
}

/** The same rule as the server's for the main image (server/articles/articles.rules.ts). */
const FILE_NAME = /^[^\s]+\.(jpe?g|png|gif|webp|avif|heic|tiff?)$/i;
const ALT_MAX = 500;

/** What an image in the text should point to: a JPEG (any browser, any mail reader) about a column wide. */
export function textImageUrl(variants: Variant[], previewUrl: string | null): string | null {
  const jpegs = variants.filter((v) => v.kind === 'responsive' && v.format === 'jpeg' && OWN_MEDIA.test(v.url)).sort((a, b) => a.width - b.width);
  const fit = jpegs.filter((v) => v.width <= 960).pop() ?? jpegs[0];
  return fit?.url ?? previewUrl;
}

/**
 * "Insérer une image": an image chosen from the media library, with its text alternative. The
 * dialog refuses to insert an image without a description (the server refuses it too), and
 * offers the library's own description as a start.
 */
export class ImageDialog {
  readonly dialog: HTMLDialogElement;
  private readonly query: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly pager: HTMLElement;
  private readonly alt: HTMLTextAreaElement;
  private readonly error: HTMLElement;
  private readonly title: HTMLElement;
  private readonly insert: HTMLButtonElement;
  private readonly group: string;
  private readonly file: HTMLInputElement;
  private page = 1;
  private pages = 1;
  /** The image being changed when the dialog was opened on a selected image. */
  private editing: { pos: number; src: string } | null = null;

  constructor(
    private readonly editor: Editor,
    private readonly S: Strings,
    private readonly urls: { list: string; item: string; upload: string; csrf: () => string },
    private readonly announce: (message: string) => void,
  ) {
    const titleId = uid('ve-image-title');
    const queryId = uid('ve-image-q');
    const altId = uid('ve-image-alt');
    const altHintId = uid('ve-image-alt-hint');
    const errorId = uid('ve-image-error');
    const fileId = uid('ve-image-file');
    const fileHintId = uid('ve-image-file-hint');
    this.group = uid('ve-image-choice');
    this.title = h('h2', { id: titleId }, say(S, 'imageTitle'));
    this.query = h('input', { id: queryId, type: 'search', autocomplete: 'off' });
    const search = h('button', { type: 'button', class: 'button small' }, say(S, 'imageSearch'));
    this.status = h('p', { class: 'hint', role: 'status' });
    this.grid = h('div', { class: 've-media-grid' });
    this.prev = h('button', { type: 'button', class: 'button small' }, say(S, 'imagePrev'));
    this.next = h('button', { type: 'button', class: 'button small' }, say(S, 'imageNext'));
    this.pager = h('div', { class: 'actions' }, this.prev, this.next);
    this.alt = h('textarea', {
      id: altId,
      rows: '2',
      maxlength: String(ALT_MAX),
      class: 've-alt',
      'aria-required': 'true',
      'aria-describedby': `${altHintId} ${errorId}`,
    });
    this.error = h('p', { id: errorId, class: 'field-error', hidden: true });
    this.file = h('input', { id: fileId, type: 'file', accept: 'image/jpeg,image/png,image/webp,image/avif,image/gif', 'aria-describedby': fileHintId });
    this.insert = h('button', { type: 'button', class: 'button primary' }, say(S, 'imageInsert'));
    const cancel = h('button', { type: 'button', class: 'button' }, say(S, 'cancel'));
    this.dialog = h(
      'dialog',
      { class: 've-dialog ve-image-dialog', 'aria-labelledby': titleId },
      this.title,
      h('div', { class: 've-search' }, h('label', { for: queryId }, say(S, 'imageQuery')), h('div', { class: 've-search-row' }, this.query, search)),
      this.status,
      h('fieldset', { class: 've-choices' }, h('legend', {}, say(S, 'imageChoose')), this.grid),
      this.pager,
      h(
        'div',
        { class: 'field ve-upload' },
        h('label', { for: fileId }, say(S, 'imageUpload')),
        this.file,
        h('p', { class: 'hint', id: fileHintId }, say(S, 'imageUploadHint')),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: altId }, say(S, 'imageAlt'), ' ', h('span', { class: 'req' }, say(S, 'required'))),
        this.alt,
        h('p', { class: 'hint', id: altHintId }, say(S, 'imageAltHint')),
        this.error,
      ),
      h('div', { class: 'actions' }, this.insert, cancel),
    );
    search.addEventListener('click', () => void this.load(1));
    onEnter(this.query, () => void this.load(1));
    this.prev.addEventListener('click', () => void this.load(this.page - 1));
    this.next.addEventListener('click', () => void this.load(this.page + 1));
    this.insert.addEventListener('click', () => void this.apply());
    cancel.addEventListener('click', () => this.close());
    this.grid.addEventListener('change', (e) => {
      const radio = e.target as HTMLInputElement;
      // The library's description is offered, never forced: the writer may adapt it to the text.
      if (radio.name === this.group && !this.alt.value.trim()) this.alt.value = radio.getAttribute('data-alt') ?? '';
      // One image at a time: choosing from the library forgets a file picked before, and the reverse.
      this.file.value = '';
      this.setError('');
    });
    this.file.addEventListener('change', () => {
      const checked = this.chosen();
      if (checked) checked.checked = false;
      this.setError('');
    });
    this.dialog.addEventListener('close', () => this.editor.commands.focus());
  }

  open(): void {
    const sel = this.editor.state.selection;
    const node = sel instanceof NodeSelection && sel.node.type.name === 'image' ? sel.node : null;
    this.editing = node ? { pos: sel.from, src: String(node.attrs.src ?? '') } : null;
    this.title.textContent = say(this.S, node ? 'imageEditTitle' : 'imageTitle');
    this.insert.textContent = say(this.S, node ? 'imageUpdate' : 'imageInsert');
    this.alt.value = node ? String(node.attrs.alt ?? '') : '';
    this.query.value = '';
    this.file.value = '';
    this.setError('');
    this.grid.replaceChildren();
    this.dialog.showModal();
    (node ? this.alt : this.query).focus();
    void this.load(1);
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private setError(message: string, field: HTMLElement | null = null): void {
    this.error.textContent = message;
    this.error.hidden = !message;
    if (message && field === this.alt) this.alt.setAttribute('aria-invalid', 'true');
    else this.alt.removeAttribute('aria-invalid');
    field?.focus();
  }

  private async load(page: number): Promise<void> {
    this.status.textContent = say(this.S, 'imageSearching');
    try {
      const url = `${this.urls.list}?q=${encodeURIComponent(this.query.value.trim())}&page=${Math.max(1, page)}`;
      const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(String(res.status));
      const data = (await res.json()) as { items?: PickerItem[]; total?: number; page?: number; pages?: number };
      this.page = data.page ?? 1;
      this.pages = data.pages ?? 1;
      const items = (data.items ?? []).filter((i) => i.status !== 'failed' && i.previewUrl);
      this.render(items);
      const total = data.total ?? 0;
      this.status.textContent = total === 0 ? say(this.S, 'imageNone') : total === 1 ? say(this.S, 'imageOne') : say(this.S, 'imageCount', { count: total });
      this.pager.hidden = this.pages <= 1;
      this.prev.disabled = this.page <= 1;
      this.next.disabled = this.page >= this.pages;
    } catch {
      this.status.textContent = say(this.S, 'imageFailed');
    }
  }

  private render(items: PickerItem[]): void {
    this.grid.replaceChildren(
      ...items.map((item) => {
        const input = h('input', { type: 'radio', name: this.group, value: String(item.id), 'data-alt': item.alt ?? '' });
        // The thumbnail is decorative here: the file's name is the choice's label.
        return h(
          'label',
          { class: 've-media-choice' },
          input,
          h('img', { src: item.previewUrl ?? '', alt: '', loading: 'lazy' }),
          h('span', {}, item.name || `#${item.id}`),
        );
      }),
    );
  }

  /** Puts a new image in the media library, described by the text alternative typed here. */
  private async send(file: File, alt: string): Promise<string> {
    const data = new FormData();
    data.append('_csrf', this.urls.csrf()); // first: the server checks it before it reads the file
    data.append('alt', alt);
    data.append('file', file);
    const res = await fetch(this.urls.upload, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' }, body: data });
    const json = (await res.json().catch(() => ({}))) as { id?: number; error?: string };
    if (!res.ok || !json.id) throw new Error(json.error ?? '');
    return String(json.id);
  }

  /**
   * The image's details once its sizes are made: a new upload is prepared in the background for a
   * few seconds. Bounded: after about twenty seconds the small preview is used rather than nothing.
   */
  private async whenReady(id: string): Promise<{ status?: string; variants?: Variant[]; previewUrl?: string | null }> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.urls.item.replace('{id}', encodeURIComponent(id)), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(String(res.status));
      const item = (await res.json()) as { status?: string; variants?: Variant[]; previewUrl?: string | null };
      if (item.status !== 'processing' || attempt >= 40) return item;
      this.status.textContent = say(this.S, 'imagePreparing');
      await new Promise((resolve) => window.setTimeout(resolve, 500));
    }
  }

  private chosen(): HTMLInputElement | null {
    return this.grid.querySelector<HTMLInputElement>(`input[name="${this.group}"]:checked`);
  }

  private async apply(): Promise<void> {
    const radio = this.chosen();
    const upload = this.file.files?.[0] ?? null;
    if (!radio && !upload && !this.editing) return this.setError(say(this.S, 'imageNoChoice'), this.grid.querySelector('input') ?? this.query);
    const alt = this.alt.value.replace(/\s+/g, ' ').trim();
    if (!alt) return this.setError(say(this.S, 'imageAltMissing'), this.alt);
    if (alt.length > ALT_MAX) return this.setError(say(this.S, 'imageAltTooLong'), this.alt);
    if (FILE_NAME.test(alt)) return this.setError(say(this.S, 'imageAltFileName'), this.alt);
    let src = this.editing?.src ?? '';
    let id = radio?.value ?? null;
    if (upload) {
      this.status.textContent = say(this.S, 'imageUploading');
      try {
        id = await this.send(upload, alt);
      } catch (err) {
        this.status.textContent = '';
        return this.setError(`${say(this.S, 'imageUploadFailed')} ${err instanceof Error ? err.message : ''}`.trim(), this.file);
      }
    }
    if (id) {
      try {
        const item = await this.whenReady(id);
        if (item.status === 'failed') return this.setError(say(this.S, 'imageProcessingFailed'), this.insert);
        src = textImageUrl(item.variants ?? [], item.previewUrl ?? null) ?? '';
      } catch {
        return this.setError(say(this.S, 'imageFailed'), this.insert);
      }
    }
    if (!OWN_MEDIA.test(src)) return this.setError(say(this.S, 'imageFailed'), this.insert);
    if (this.editing) {
      this.editor.chain().focus().setNodeSelection(this.editing.pos).updateAttributes('image', { src, alt }).run();
    } else {
      insertImageOnItsOwnLine(this.editor, { src, alt });
    }
    this.close();
    this.announce(say(this.S, this.editing ? 'imageUpdated' : 'imageInserted', { alt }));
  }
}
