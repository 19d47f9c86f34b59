import { countGraphemes, countMastodon, countX, textCapability } from '../server/publishing/post-count';
import { generatePostText, generateThreadText, parseHashtags, postParts, splitIntoParts } from '../server/publishing/post-text';

/**
 * The text of a post as the engine composes it for every network (server/publishing/post-text.ts),
 * counted the way each network counts (public/js/post-count.js, the file the browser runs too).
 */
const url = 'https://www.villeneuve.fr/actualites/marche-de-noel?ref=x';
const source = {
  title: 'Marché de Noël',
  summary: 'Les chalets reviennent sur la place de la mairie du 12 au 24 décembre, avec des animations pour les enfants chaque après-midi.',
  url,
  hashtags: ['#Noël', '#Villeneuve'],
};

describe('counting like the networks', () => {
  it('counts graphemes: an accented letter, a flag and a skin-toned emoji are one each', () => {
    expect(countGraphemes('é')).toBe(1);
    expect(countGraphemes('e\u0301')).toBe(1); // decomposed é
    expect(countGraphemes('🇫🇷👍🏽👨‍👩‍👧')).toBe(3);
  });

  it('counts like X: an address is 23 whatever its length, an emoji 2, CJK 2, Latin 1', () => {
    expect(countX(url)).toBe(23);
    expect(countX('http://a.b')).toBe(23);
    expect(countX('Fête 🎉')).toBe(7);
    expect(countX('日本')).toBe(4);
    expect(countX('🇫🇷')).toBe(2);
    expect(countX('a'.repeat(280))).toBe(280);
  });

  it('counts like Mastodon: graphemes, an address as 23', () => {
    expect(countMastodon(`Voir ${url}`)).toBe(5 + 23);
    expect(countMastodon('👍🏽')).toBe(1);
  });
});

describe('the generated text', () => {
  it('is title, summary, link and hashtags when it fits', () => {
    expect(generatePostText(source, textCapability(500, 'mastodon'))).toBe(`Marché de Noël\n\n${source.summary}\n\n${url}\n\n#Noël #Villeneuve`);
  });

  it('shortens the summary at a word, never the link, to fit the limit counted the network’s way', () => {
    const x = textCapability(100, 'x');
    const text = generatePostText(source, x);
    expect(x.count(text)).toBeLessThanOrEqual(100);
    expect(text).toContain(url);
    expect(text).toMatch(/^Marché de Noël\n\nLes chalets [^\n]*\w…\n\n/);
    expect(text.endsWith('#Noël #Villeneuve')).toBe(true);
  });

  it('drops the summary, then hashtags, then shortens the title before it would touch the link', () => {
    const tight = textCapability(45, 'mastodon');
    const text = generatePostText(source, tight);
    expect(tight.count(text)).toBeLessThanOrEqual(45);
    expect(text).toContain(url);
    const tiny = textCapability(30, 'mastodon');
    const alone = generatePostText({ ...source, title: 'Un titre beaucoup trop long pour tenir' }, tiny);
    expect(alone).toContain(url);
    expect(tiny.count(alone)).toBeLessThanOrEqual(30);
  });

  it('normalises hashtags typed in the settings', () => {
    expect(parseHashtags('#Culture, fete  ##Villeneuve #culture pas-un-mot')).toEqual(['#Culture', '#fete', '#Villeneuve']);
    expect(parseHashtags(null)).toEqual([]);
  });
});

describe('a thread', () => {
  const limit = textCapability(60, 'mastodon');
  const text = 'Le conseil municipal se réunit jeudi soir. La séance est publique et ouverte à tous. Ordre du jour : budget et travaux de la place.';

  it('is cut between sentences, each part numbered and within the limit', () => {
    const parts = splitIntoParts(text, limit);
    expect(parts).toEqual([
      'Le conseil municipal se réunit jeudi soir. (1/3)',
      'La séance est publique et ouverte à tous. (2/3)',
      'Ordre du jour : budget et travaux de la place. (3/3)',
    ]);
  });

  it('cuts a sentence too long between words, and a word too long between characters', () => {
    const long = 'Une très longue phrase sans aucun point qui continue encore et encore bien au-delà de la limite du réseau';
    const parts = splitIntoParts(long, limit);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(limit.count(p)).toBeLessThanOrEqual(60);
    expect(parts.map((p) => p.replace(/ \(\d+\/\d+\)$/, '')).join(' ')).toBe(long);
    const word = splitIntoParts('a'.repeat(130), limit);
    expect(word.map((p) => p.replace(/ \(\d+\/\d+\)$/, '')).join('')).toBe('a'.repeat(130));
  });

  it('counts the numbering’s own room when there are ten parts or more', () => {
    const many = Array.from({ length: 14 }, (_, i) => `Phrase numéro ${i + 1} du fil, assez longue pour un part.`).join(' ');
    const parts = splitIntoParts(many, limit);
    expect(parts.length).toBeGreaterThanOrEqual(10);
    for (const p of parts) expect(limit.count(p)).toBeLessThanOrEqual(60);
    expect(parts.at(-1)).toMatch(new RegExp(` \\(${parts.length}/${parts.length}\\)$`));
  });

  it('keeps a text that fits as one unnumbered part', () => {
    expect(splitIntoParts('Court.', limit)).toEqual(['Court.']);
  });

  it('puts the title and the link in the first part of a generated thread, and the full summary after', () => {
    const parts = postParts({ variant: null, source, limit, asThread: true });
    expect(parts[0]).toBe(`Marché de Noël\n${url} (1/${parts.length})`);
    expect(parts.slice(1).join(' ')).toContain('animations pour les enfants');
    expect(generateThreadText(source)).toContain(source.summary);
  });

  it('uses the officer’s text as typed, one part unless a thread was chosen', () => {
    expect(postParts({ variant: '  Mon texte  ', source, limit, asThread: false })).toEqual(['Mon texte']);
    expect(postParts({ variant: text, source, limit, asThread: true })).toHaveLength(3);
    expect(postParts({ variant: null, source, limit: null, asThread: false })).toEqual([]);
  });
});
