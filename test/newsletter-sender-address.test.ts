import { isSafeAddress } from '../server/newsletter/raw-message';

/** The embedded default (npm start) sends as no-reply@localhost: its campaigns must start. */
describe('the sender address of a campaign', () => {
  it('accepts the embedded default and a real domain, and refuses anything that could add a header', () => {
    expect(isSafeAddress('no-reply@localhost')).toBe(true);
    expect(isSafeAddress('mairie@villeneuve.fr')).toBe(true);
    expect(isSafeAddress('mairie@villeneuve.fr\r\nBcc: x@y.fr')).toBe(false);
    expect(isSafeAddress('Mairie <mairie@villeneuve.fr>')).toBe(false);
    expect(isSafeAddress('mairie@-villeneuve.fr')).toBe(false);
  });
});
