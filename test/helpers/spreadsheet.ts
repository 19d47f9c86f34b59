/**
 * What a spreadsheet that ignores quotes sees: the text cut at every separator it may be set to
 * (";" for French Excel, ",", a tab) and at every line break, each piece stripped of the spaces
 * and quotes a reader may trim.
 */
export function naiveCells(text: string): string[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/[;,\t\r\n]/)
    .map((piece) => piece.replace(/^[\s"]+/, ''));
}

/** The cells such a spreadsheet would run as formulas: none, in a file made safe. */
export function formulaCells(text: string): string[] {
  return naiveCells(text).filter((cell) => /^[=+\-@]/.test(cell));
}
