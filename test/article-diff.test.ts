import { lineDiff } from '../server/articles/diff';

/** What the elected member reads on a proposal or a version: the lines added and removed. */
describe('the line difference of an article’s text', () => {
  it('shows an added paragraph once, without the blank line before it as a change of its own', () => {
    const diff = lineDiff('Entrée libre.\n\nConcert à 16 h.', 'Entrée libre.\n\nConcert à 16 h.\n\nParticipation au chapeau.')!;
    expect(diff.filter((d) => d.kind !== 'same')).toEqual([{ kind: 'added', text: 'Participation au chapeau.' }]);
    // The unchanged blank line still keeps the paragraphs apart.
    expect(diff.map((d) => d.text)).toEqual(['Entrée libre.', '', 'Concert à 16 h.', 'Participation au chapeau.']);
  });

  it('shows a removed paragraph once, and a changed line as removed then added', () => {
    const diff = lineDiff('Ouverte le mardi.\n\nFermée le lundi.', 'Ouverte le mardi et le samedi.')!;
    expect(diff).toEqual([
      { kind: 'removed', text: 'Ouverte le mardi.' },
      { kind: 'removed', text: 'Fermée le lundi.' },
      { kind: 'added', text: 'Ouverte le mardi et le samedi.' },
    ]);
  });
});
