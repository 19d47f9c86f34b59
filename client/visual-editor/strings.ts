/**
 * The editor's words come from the page (views/admin/partials/visual-editor.ejs), translated by
 * the server for the person reading: the bundle holds no sentence of its own, so the i18n
 * catalogue stays the one place where the interface's text lives.
 */
export type Strings = Record<string, string>;

export function loadStrings(): Strings {
  const meta = document.querySelector('meta[name="crieur-editor-strings"]');
  try {
    const parsed: unknown = JSON.parse(meta?.getAttribute('content') ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Strings) : {};
  } catch {
    return {};
  }
}

/** A message with its {variables} filled in; the key itself if the page did not provide it. */
export function say(strings: Strings, key: string, vars: Record<string, string | number> = {}): string {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}
