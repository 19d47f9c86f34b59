/**
 * Public pages, feeds and e-mails carry French no-break spaces (server/i18n/typography.ts). A test
 * about something else reads them as ordinary spaces; test/typography.test.ts checks the spaces.
 */
export function plainSpaces(text: string | null | undefined): string {
  return String(text ?? '').replace(/[\u00A0\u202F]/g, ' ');
}
