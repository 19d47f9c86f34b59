/** A small element builder: attributes set with setAttribute, never a style (the page's CSP forbids inline styles). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children);
  return el;
}

let seq = 0;
/** An id nobody else on the page uses. */
export function uid(prefix: string): string {
  seq += 1;
  let id = `${prefix}-${seq}`;
  while (document.getElementById(id)) {
    seq += 1;
    id = `${prefix}-${seq}`;
  }
  return id;
}

/** Enter in a dialog's field must not submit the article's form around it. */
export function onEnter(input: HTMLElement, action: () => void): void {
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing) return;
    e.preventDefault();
    action();
  });
}
