/**
 * One side of npm run bench:newsletter, in its own process so that its peak memory is its own:
 *   crieur — Crieur's sender: start the campaign (audience frozen into 100,000 deliveries), then
 *            run until every delivery is settled, with all its bookkeeping;
 *   naive  — a bare nodemailer loop: the same 100,000 messages, each built by sendMail from the
 *            recipient's HTML and text, through a pool of 10 connections (the most the issue's
 *            reference loop used: the kindest setting for it).
 * Prints one JSON line with its figures.
 */
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { campaignMessage } from '../server/newsletter/campaign-message';

const [mode, dataDir, databaseUrl, smtpUrl, campaignArg] = process.argv.slice(2) as [string, string, string, string, string];
const campaignId = Number(campaignArg);
const IN_FLIGHT = 100;

/**
 * This process's own peak RSS. Linux keeps getrusage's maxrss across exec, so a child spawned by
 * the benchmark would report its parent's peak (the seeding) as its own; VmHWM belongs to the
 * process's new address space only.
 */
function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: getrusage's figure, which is the process's own there
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'silent',
    SMTP_FROM: 'Mairie <mairie@commune.test>',
  });
  const c = createContainer(config, { log: pino({ level: 'silent' }) });
  try {
    if (mode === 'crieur') {
      const started = performance.now();
      const { recipients } = await c.campaignSender.start(campaignId);
      const frozen = performance.now();
      const report = await c.campaignSender.run();
      const seconds = (performance.now() - started) / 1000;
      const compilations = c.campaignRenderer.compilations;
      // Crieur's peak while sending (the personalising loop below is a measurement, not Crieur's work).
      const rssMb = peakRssMb();
      const heapMb = process.memoryUsage().heapUsed / 1048576;
      // Personalising every copy, alone: the string work the sender does per recipient.
      const prepared = await c.campaignRenderer.prepare(campaignId);
      const audience = await c.subscribers.audience('digest');
      const p0 = performance.now();
      let chars = 0;
      for (const r of audience) {
        if (!prepared.articlesFor(r)) continue;
        const { html, text } = prepared.personalise(r, {
          manageUrl: c.subscriberLinks.manageUrl(r.id),
          unsubscribeUrl: c.subscriberLinks.unsubscribeUrl(r.id),
        });
        chars += html.length + text.length;
      }
      const personaliseSeconds = (performance.now() - p0) / 1000;
      console.log(
        JSON.stringify({
          mode,
          recipients,
          sent: report.sent,
          seconds,
          freezeSeconds: (frozen - started) / 1000,
          compilations,
          personaliseSeconds,
          averageChars: Math.round(chars / audience.length),
          rssMb,
          heapMb,
          rssAfterPersonaliseMb: peakRssMb(),
        }),
      );
    } else {
      const prepared = await c.campaignRenderer.prepare(campaignId);
      const audience = (await c.subscribers.audience('digest')).filter((r) => prepared.articlesFor(r) > 0);
      const sender = await c.campaigns.sender();
      const transport = nodemailer.createTransport(`${smtpUrl}?pool=true&maxConnections=10`);
      const started = performance.now();
      let next = 0;
      let sent = 0;
      let bytes = 0;
      const worker = async () => {
        while (next < audience.length) {
          const r = audience[next++]!;
          const msg = campaignMessage(
            prepared,
            r,
            { manageUrl: c.subscriberLinks.manageUrl(r.id), unsubscribeUrl: c.subscriberLinks.unsubscribeUrl(r.id) },
            sender,
          );
          bytes += msg.html.length;
          await transport.sendMail(msg);
          sent++;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      const seconds = (performance.now() - started) / 1000;
      transport.close();
      console.log(JSON.stringify({ mode, sent, seconds, averageHtml: Math.round(bytes / sent), rssMb: peakRssMb() }));
    }
  } finally {
    await c.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
