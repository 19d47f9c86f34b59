import sharp from 'sharp';

/**
 * Illustrations for the demo commune, drawn as SVG and rasterised by sharp, so that the demo
 * ships no binary pictures and every image still goes through the real upload path.
 */
type Motif = 'travaux' | 'mairie' | 'culture' | 'environnement' | 'ecole' | 'alerte' | 'solidarite' | 'sport';

const PALETTES: Record<Motif, [string, string, string, string]> = {
  travaux: ['#f9d9a8', '#f4a259', '#5b8e7d', '#e4572e'],
  mairie: ['#cfe3f5', '#8fb8de', '#2f5d8a', '#f2f2f2'],
  culture: ['#2b1d3f', '#6b3e75', '#f4d35e', '#ee964b'],
  environnement: ['#dff3e3', '#9bc995', '#3a7d44', '#f6ae2d'],
  ecole: ['#fff1d0', '#f9c784', '#3c91e6', '#e94f37'],
  alerte: ['#4b4e6d', '#2c2f45', '#9aa1c2', '#f2c14e'],
  solidarite: ['#fde2e4', '#fad2e1', '#c1121f', '#669bbc'],
  sport: ['#caf0f8', '#90e0ef', '#0077b6', '#ffffff'],
};

function motifShapes(m: Motif, c: [string, string, string, string]): string {
  switch (m) {
    case 'travaux':
      return [0, 1, 2, 3, 4]
        .map((i) => {
          const x = 300 + i * 250;
          return `<polygon points="${x},900 ${x + 60},600 ${x + 120},900" fill="${c[3]}"/><rect x="${x + 30}" y="700" width="60" height="30" fill="#fff"/>`;
        })
        .join('');
    case 'mairie':
      return `<rect x="500" y="450" width="600" height="450" fill="${c[3]}"/><polygon points="480,450 800,280 1120,450" fill="${c[2]}"/>
        ${[0, 1, 2].map((i) => `<rect x="${560 + i * 180}" y="540" width="110" height="160" fill="${c[1]}"/>`).join('')}
        <rect x="740" y="740" width="120" height="160" fill="${c[2]}"/><line x1="800" y1="280" x2="800" y2="180" stroke="#333" stroke-width="8"/>
        <rect x="800" y="180" width="40" height="60" fill="#0055a4"/><rect x="840" y="180" width="40" height="60" fill="#fff"/><rect x="880" y="180" width="40" height="60" fill="#ef4135"/>`;
    case 'culture':
      return Array.from({ length: 14 }, (_, i) => `<circle cx="${120 + i * 105}" cy="${200 + (i % 3) * 40}" r="18" fill="${i % 2 ? c[2] : c[3]}"/>`).join('') +
        `<path d="M600 800 q200 -300 400 0" stroke="${c[2]}" stroke-width="30" fill="none"/><circle cx="600" cy="820" r="60" fill="${c[3]}"/><circle cx="1000" cy="820" r="60" fill="${c[3]}"/>`;
    case 'environnement':
      return Array.from({ length: 7 }, (_, i) => {
        const x = 150 + i * 220;
        const h = 250 + (i % 3) * 60;
        return `<rect x="${x - 15}" y="${900 - h / 3}" width="30" height="${h / 3}" fill="#6b4226"/><circle cx="${x}" cy="${900 - h / 3 - 80}" r="${90 + (i % 2) * 20}" fill="${c[2]}"/>`;
      }).join('') + `<circle cx="1350" cy="200" r="90" fill="${c[3]}"/>`;
    case 'ecole':
      return [0, 1, 2].map((i) => `<rect x="${350 + i * 330}" y="520" width="240" height="300" rx="30" fill="${[c[2], c[3], '#43aa8b'][i]}"/><rect x="${410 + i * 330}" y="470" width="120" height="80" rx="20" fill="none" stroke="#333" stroke-width="14"/>`).join('');
    case 'alerte':
      return `<path d="M0 350 q300 -150 600 0 t600 0 t600 0 v-350 h-1800z" fill="${c[1]}"/><polygon points="820,380 700,640 800,640 720,880 960,560 850,560 930,380" fill="${c[3]}"/>
        ${Array.from({ length: 30 }, (_, i) => `<line x1="${40 + i * 55}" y1="${450 + (i % 5) * 60}" x2="${20 + i * 55}" y2="${510 + (i % 5) * 60}" stroke="${c[2]}" stroke-width="5"/>`).join('')}`;
    case 'solidarite':
      return `<path d="M800 850 C 400 600, 450 300, 800 450 C 1150 300, 1200 600, 800 850 z" fill="${c[2]}"/><rect x="300" y="780" width="1000" height="30" fill="${c[3]}"/>`;
    case 'sport':
      return [0, 1, 2, 3, 4].map((i) => `<rect x="0" y="${420 + i * 110}" width="1600" height="14" fill="${i % 2 ? c[3] : '#e63946'}"/>`).join('') +
        `<circle cx="1200" cy="300" r="80" fill="${c[2]}"/>`;
  }
}

export function demoSvg(motif: string, seed: number): string {
  const m = (motif in PALETTES ? motif : 'mairie') as Motif;
  const c = PALETTES[m];
  const hill = 700 + (seed % 5) * 25;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000" viewBox="0 0 1600 1000">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${c[0]}"/><stop offset="1" stop-color="${c[1]}"/></linearGradient></defs>
  <rect width="1600" height="1000" fill="url(#sky)"/>
  <path d="M0 ${hill} Q 400 ${hill - 120} 800 ${hill} T 1600 ${hill - 40} V 1000 H 0 Z" fill="${c[2]}" opacity="0.35"/>
  ${motifShapes(m, c)}
  <rect y="900" width="1600" height="100" fill="${c[2]}" opacity="0.5"/>
</svg>`;
}

/** A JPEG (with a little grain, like a photograph) for the given motif. */
export async function demoImage(motif: string, seed: number): Promise<Buffer> {
  return sharp(Buffer.from(demoSvg(motif, seed))).jpeg({ quality: 88 }).toBuffer();
}
