/**
 * The Crieur side of `npm run bench:social`, in its own process so that its CPU time and peak
 * memory are Crieur's alone (the local networks run in the parent): dispatches every due
 * publication and prints one JSON line with what it measured.
 */
import fs from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';

async function main(): Promise<void> {
  const c = createContainer(loadConfig(process.env), { log: pino({ level: 'silent' }) });
  const totals: Record<string, number> = {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Bounded: each run either sends or defers every due post; a few runs mop up retries.
  for (let run = 0; run < 200; run++) {
    const report = await c.dispatcher.dispatchDue();
    for (const [k, v] of Object.entries(report)) totals[k] = (totals[k] ?? 0) + v;
    const left = Number((await c.db('publications').whereIn('status', ['pending', 'sending']).count({ n: '*' }).first())?.n ?? 0);
    if (!left) break;
    if (!Object.values(report).some((v) => v > 0)) await new Promise((r) => setTimeout(r, 200));
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  await c.close();
  process.stdout.write(
    `${JSON.stringify({ totals, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: hwm ? Number(hwm[1]) / 1024 : process.memoryUsage().rss / 1048576 })}\n`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
