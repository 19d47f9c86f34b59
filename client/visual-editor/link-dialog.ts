import type { Editor } from '@tiptap/core';
import { h, onEnter, uid } from './dom';
import { allowedHref } from './extensions';
import { say, type Strings } from './strings';

/** "www.mairie.fr" is what people type: it means the web address, not a page of the site. */
export function normaliseHref(input: string): string {
  const v = input.trim();
  if (/^www\.[^\s]+$/i.test(v) || /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/[^\s]*)?$/i.test(v)) return `https://${v}`;
  if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(v)) return `mailto:${v}`;
  return v;
}

/** The "Lien" dialog: the address of the link, and its text when nothing is selected. */
export class LinkDialog {
  readonly dialog: HTMLDialogElement;
  private readonly href: HTMLInputElement;
  private readonly text: HTMLInputElement;
  private readonly textField: HTMLElement;
  private readonly error: HTMLElement;
  private readonly remove: HTMLButtonElement;

  constructor(
    private readonly editor: Editor,
    private readonly S: Strings,
    private readonly announce: (message: string) => void,
  ) {
    const titleId = uid('ve-link-title');
    const hrefId = uid('ve-link-href');
    const hintId = uid('ve-link-hint');
    const errorId = uid('ve-link-error');
    const textId = uid('ve-link-text');
    this.href = h('input', {
      id: hrefId,
      type: 'text',
      inputmode: 'url',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': `${hintId} ${errorId}`,
    });
    this.text = h('input', { id: textId, type: 'text', autocomplete: 'off' });
    this.error = h('p', { id: errorId, class: 'field-error' });
    this.textField = h('div', { class: 'field' }, h('label', { for: textId }, say(S, 'linkText')), this.text);
    const apply = h('button', { type: 'button', class: 'button primary' }, say(S, 'linkApply'));
    this.remove = h('button', { type: 'button', class: 'button' }, say(S, 'linkRemove'));
    const cancel = h('button', { type: 'button', class: 'button' }, say(S, 'cancel'));
    this.dialog = h(
      'dialog',
      { class: 've-dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, say(S, 'linkTitle')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: hrefId }, say(S, 'linkHref')),
        this.href,
        h('p', { class: 'hint', id: hintId }, say(S, 'linkHint')),
        this.error,
      ),
      this.textField,
      h('div', { class: 'actions' }, apply, this.remove, cancel),
    );
    apply.addEventListener('click', () => this.apply());
    this.remove.addEventListener('click', () => this.unlink());
    cancel.addEventListener('click', () => this.close());
    onEnter(this.href, () => this.apply());
    onEnter(this.text, () => this.apply());
    // Escape closes a modal dialog by itself; the writer goes back to the text either way.
    this.dialog.addEventListener('close', () => this.editor.commands.focus());
  }

  open(): void {
    const current = (this.editor.getAttributes('link').href as string | undefined) ?? '';
    this.href.value = current;
    this.text.value = '';
    this.setError('');
    const linking = !!current;
    this.remove.hidden = !linking;
    // A link needs words to click on: asked for only when none are selected.
    this.textField.hidden = linking || !this.editor.state.selection.empty;
    this.dialog.showModal();
    this.href.focus();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private setError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = !message;
    if (message) this.href.setAttribute('aria-invalid', 'true');
    else this.href.removeAttribute('aria-invalid');
  }

  private apply(): void {
    const href = normaliseHref(this.href.value);
    if (!href) {
      this.setError(say(this.S, 'linkEmpty'));
      this.href.focus();
      return;
    }
    if (!allowedHref(href)) {
      this.setError(say(this.S, 'linkInvalid'));
      this.href.focus();
      return;
    }
    const chain = this.editor.chain().focus();
    if (!this.textField.hidden) {
      const words = this.text.value.trim() || href.replace(/^mailto:/, '');
      // The link ends with its words: what is typed next (a full stop, the rest of the sentence)
      // is plain text, not more of the link (the link mark otherwise grows as one types).
      chain
        .insertContent({ type: 'text', text: words, marks: [{ type: 'link', attrs: { href } }] })
        .unsetMark('link')
        .run();
    } else {
      chain.extendMarkRange('link').setLink({ href }).run();
    }
    this.close();
    this.announce(say(this.S, 'linkDone'));
  }

  private unlink(): void {
    this.editor.chain().focus().extendMarkRange('link').unsetLink().run();
    this.close();
    this.announce(say(this.S, 'linkRemoved'));
  }
}
