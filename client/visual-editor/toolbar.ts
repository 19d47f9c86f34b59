import type { Editor } from '@tiptap/core';
import { h } from './dom';
import { say, type Strings } from './strings';

export interface ToolSpec {
  /** Key of the button's name in the strings. */
  name: string;
  /** aria-keyshortcuts, when the editor has one for it. */
  keys?: string;
  run(): void;
  /** A toggle (bold, a heading…): its state is aria-pressed. */
  active?(): boolean;
  /** Undo/redo, table tools: disabled when they can do nothing. */
  enabled?(): boolean;
}

/**
 * aria-disabled rather than disabled: a button that cannot act now (Défaire with nothing to undo)
 * stays a Tab stop that says so, instead of vanishing from the keyboard's path.
 */
function setDisabled(button: HTMLButtonElement, disabled: boolean): void {
  if (disabled) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

/** How a shortcut reads in the tooltip, for the person's keyboard. */
function readable(keys: string): string {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  return keys.replace(/Control/g, mac ? '⌘' : 'Ctrl').replace(/Shift/g, mac ? '⇧' : 'Maj');
}

/**
 * The formatting toolbar: real buttons with visible names, each one a Tab stop (officers find
 * them the way they find any button), and the arrow keys also move along them as in a toolbar.
 */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly buttons: { spec: ToolSpec; button: HTMLButtonElement }[] = [];
  private readonly tableGroup: HTMLElement;
  private readonly formatGroups: HTMLElement[];
  private formatting = true;

  constructor(
    private readonly editor: Editor,
    S: Strings,
    groups: ToolSpec[][],
    tableTools: ToolSpec[],
    mode: HTMLButtonElement,
    controls: string,
  ) {
    const make = (spec: ToolSpec) => {
      const button = h('button', { type: 'button', class: 've-button', 'data-tool': spec.name }, say(S, spec.name));
      if (spec.keys) {
        button.setAttribute('aria-keyshortcuts', spec.keys);
        button.title = `${say(S, spec.name)} (${readable(spec.keys)})`;
      }
      if (spec.active) button.setAttribute('aria-pressed', 'false');
      // Keeps the text's selection: a mouse click on a button must not take the focus from it first.
      button.addEventListener('mousedown', (e) => e.preventDefault());
      button.addEventListener('click', () => {
        if (button.getAttribute('aria-disabled') === 'true') return;
        spec.run();
        this.refresh();
      });
      this.buttons.push({ spec, button });
      return button;
    };
    this.tableGroup = h('div', { class: 've-group ve-table-tools', role: 'group', 'aria-label': say(S, 'tableTools'), hidden: true }, ...tableTools.map(make));
    this.formatGroups = groups.map((g) => h('div', { class: 've-group', role: 'group' }, ...g.map(make)));
    this.element = h(
      'div',
      { class: 've-toolbar', role: 'toolbar', 'aria-label': say(S, 'toolbar'), 'aria-controls': controls },
      ...this.formatGroups,
      this.tableGroup,
      h('div', { class: 've-group ve-mode' }, mode),
    );
    this.element.addEventListener('keydown', (e) => this.arrows(e));
  }

  /** aria-pressed and disabled follow the text where the cursor is. */
  refresh(): void {
    if (!this.formatting) return;
    this.tableGroup.hidden = !this.editor.isActive('table');
    for (const { spec, button } of this.buttons) {
      if (spec.active) button.setAttribute('aria-pressed', String(spec.active()));
      if (spec.enabled) setDisabled(button, !spec.enabled());
    }
  }

  /** In Markdown mode the formatting buttons would do nothing: only the mode switch stays. */
  setFormattingEnabled(enabled: boolean): void {
    this.formatting = enabled;
    for (const g of this.formatGroups) g.hidden = !enabled;
    if (enabled) this.refresh();
    else this.tableGroup.hidden = true;
  }

  private arrows(e: KeyboardEvent): void {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    const all = [...this.element.querySelectorAll<HTMLButtonElement>('button')].filter((b) => b.offsetParent !== null);
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : -1) + all.length) % all.length;
    all[next]?.focus();
  }
}
