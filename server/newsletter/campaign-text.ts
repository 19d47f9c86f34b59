import type { CommuneSettings } from '../settings/settings.defaults';
import type { CampaignKind } from './campaigns.repository';
import { toPiece, type PieceSet } from './campaign-template';

export interface TextBlock {
  title: string;
  summary: string;
  category: string | null;
  linkId: number;
  url: string;
}

/**
 * The plain-text part, cut the same way as the HTML (head, one piece per article, tail) so that a
 * copy holds the same articles in both parts. Tokens: %%T%% (tracking suffix), %%WEB%%,
 * %%MANAGE%%, %%UNSUBSCRIBE%%.
 */
export function campaignText(o: {
  commune: CommuneSettings;
  kind: CampaignKind;
  subject: string;
  intro: string;
  number: number | null;
  baseUrl: string;
  campaignId: number;
  blocks: TextBlock[];
}): { email: PieceSet; web: PieceSet } {
  const title =
    o.kind === 'alert' ? `ALERTE – ${withoutAlertPrefix(o.subject)}` : `${o.commune.name} – Lettre d’information${o.number !== null ? ` n° ${o.number}` : ''}`;
  const head = [title, '='.repeat(Math.min(title.length, 72)), '', 'Voir dans le navigateur : %%WEB%%', ''];
  if (o.intro.trim()) head.push(o.intro.trim(), '');
  const block = (b: TextBlock, link: string) =>
    [`## ${b.title}`, ...(b.category ? [`(${b.category})`] : []), ...(b.summary ? [b.summary] : []), `Lire l’article : ${link}`, '', ''].join('\n');
  const address = [o.commune.address, [o.commune.postalCode, o.commune.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const tail = [
    '--',
    `${o.commune.name}${address ? ` – ${address}` : ''}`,
    'Vous recevez cette lettre parce que vous y êtes abonné.',
    'Gérer mon abonnement : %%MANAGE%%',
    'Me désabonner : %%UNSUBSCRIBE%%',
    '',
  ].join('\n');
  const emailBlocks = o.blocks.map((b) => toPiece(block(b, `${o.baseUrl}/l/${o.campaignId}/${b.linkId}%%T%%`)));
  const webBlocks = o.blocks.map((b) => toPiece(block(b, b.url)));
  const headPiece = toPiece(`${head.join('\n')}\n`);
  return {
    email: { head: headPiece, blocks: emailBlocks, tail: toPiece(tail) },
    web: { head: headPiece, blocks: webBlocks, tail: toPiece(`--\n${o.commune.name}\nPour recevoir cette lettre par e-mail : %%MANAGE%%\n`) },
  };
}

/** An alert's subject starts with "Alerte :" for the inbox; inside the e-mail, the kicker says it already. */
export function withoutAlertPrefix(subject: string): string {
  return subject.replace(/^Alerte\s*:\s*/i, '') || subject;
}
