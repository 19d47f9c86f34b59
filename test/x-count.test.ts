import { countX, fitsOnX, X_LIMIT } from '../server/publishing/channels/x-count';
import { sameText } from '../server/publishing/channels/x.adapter';

/** X's weighted length (twitter-text v3 rules), as the adapter and the browser counter use it, and how the adapter recognises its posts. */
describe('counting a post the way X does', () => {
  it('counts Latin and accented letters 1 each, composed or not', () => {
    expect(countX('Fête à Noël')).toBe(11);
    expect(countX('Fe\u0302te')).toBe(4); // e + combining circumflex, normalised to ê
  });

  it('counts every address 23, however long', () => {
    const url = 'https://www.villeneuve.fr/actualites/une-tres-longue-adresse-pour-un-article-du-conseil-municipal?ref=x';
    expect(countX(url)).toBe(23);
    expect(countX(`Lire : ${url}`)).toBe(7 + 23);
    expect(countX('http://a.fr http://b.fr')).toBe(23 + 1 + 23);
  });

  it('counts an emoji 2, with its skin tone or joiners, and CJK characters 2 each', () => {
    expect(countX('🎉')).toBe(2);
    expect(countX('👍🏽')).toBe(2);
    expect(countX('👨‍👩‍👧')).toBe(2);
    expect(countX('🇫🇷')).toBe(2);
    expect(countX('日本')).toBe(4);
  });

  it('takes 280 and refuses 281', () => {
    expect(fitsOnX('a'.repeat(X_LIMIT))).toBe(true);
    expect(fitsOnX('a'.repeat(X_LIMIT + 1))).toBe(false);
    expect(fitsOnX(`${'é'.repeat(256)} https://villeneuve.fr/x`)).toBe(true); // 256 + 1 + 23
    expect(fitsOnX(`${'é'.repeat(257)} https://villeneuve.fr/x`)).toBe(false);
    expect(fitsOnX('日'.repeat(140))).toBe(true);
    expect(fitsOnX('日'.repeat(141))).toBe(false);
  });
});

describe('recognising our post in what X gives back', () => {
  it('sees through t.co links, escaped ampersands and the picture’s own link', () => {
    const ours = 'Fête & bal à Villeneuve http://crieur.test/actualites/fete?ref=x #Fête';
    expect(sameText(ours, 'Fête &amp; bal à Villeneuve https://t.co/AbCdEf1234 #Fête https://t.co/Media12345')).toBe(true);
    expect(sameText(ours, 'Fête &amp; bal à Villeneuve https://t.co/AbCdEf1234 #Fête')).toBe(true);
    expect(sameText(ours, 'Fête &amp; bal à Villeneuve #Fête')).toBe(false);
    expect(sameText(ours, 'Fête &amp; bal à Neuville https://t.co/AbCdEf1234 #Fête')).toBe(false);
  });
});
