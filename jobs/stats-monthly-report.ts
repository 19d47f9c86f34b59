import type { Container } from '../server/container';

// Every hour: on the 1st of the month (Europe/Paris; by the 3rd if the server was stopped), queues
// last month's figures report for each elected account that did not opt out, once per person.
export const name = 'stats-monthly-report';
export const schedule = () => '15 * * * *';
export const run = (c: Container) => c.statsReports.sendDue();
