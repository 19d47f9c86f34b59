import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { NotFoundError, ValidationError } from '../http/errors';
import { handleForm } from '../http/form';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { kindLabel, periodLabel, sourceLabel } from './stats.labels';
import { compare, formats, presentChart, type Formats } from './stats.present';
import { periodChoiceFrom, periodFrom, periodQuery, sortFrom, type PeriodProblem } from './stats.query';
import { statsCsv } from './stats.csv';
import { isMonth, monthPeriod, PERIOD_KINDS, previousMonth, type Period } from './stats.period';
import type { Dashboard } from './stats.service';

type Deps = Pick<Container, 'stats' | 'statsReports' | 'config'>;

const PER_PAGE = 25;
export const REPORT_PATH = '/admin/stats/rapport';
export const REPORT_EMAIL_PATH = '/admin/stats/rapport-par-email';

function fmt(c: Deps, res: Response): Formats {
  return formats(res.locals.t, res.locals.locale, c.config.timeZone, c.stats.channels);
}

/** The view locals both pages that show the figures share (period, words, numbers). */
function common(c: Deps, res: Response, period: Period, periodProblem: PeriodProblem | null = null) {
  const f = fmt(c, res);
  return {
    f,
    period,
    periodProblem,
    periodQuery: periodQuery(period),
    periodKinds: PERIOD_KINDS,
    periodLabel: (k: string) => periodLabel(res.locals.t, k),
    channelLabel: f.channelLabel,
    kindLabel: (k: string) => kindLabel(res.locals.t, k),
    sourceLabel: (s: string) => sourceLabel(res.locals.t, s, c.stats.channels.networkLabel),
    compare: (v: number, p: number) => compare(v, p, f),
  };
}

/** The dashboard's locals, for the admin home page of élus and administrators (dashboard.routes.ts). */
export async function dashboardLocals(c: Deps, req: Request, res: Response) {
  const query = req.query as Record<string, unknown>;
  const { period, problem } = periodChoiceFrom(query, c.stats.today());
  const { sort, dir } = sortFrom(query, c.stats.channels.sortKeys());
  const page = pageFrom(query, PER_PAGE);
  const stats: Dashboard = await c.stats.dashboard(period, { sort, dir, limit: page.limit, offset: page.offset });
  const base = common(c, res, period, problem);
  return {
    ...base,
    stats,
    sort,
    dir,
    charts: stats.charts.map((ch) => presentChart(ch, stats.buckets, base.f, 'canal')),
    articlesPager: pager(page, stats.articles.total),
    pagerQuery: { ...periodQuery(period), tri: sort, ordre: dir },
  };
}

export function statsRoutes(c: Deps): Router {
  const router = Router();
  const guard = requirePermission('stats.dashboard');

  router.get('/admin/stats/articles/:id', guard, async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundError();
    const { period, problem } = periodChoiceFrom(req.query as Record<string, unknown>, c.stats.today());
    const article = (await c.stats.articleSummary(id)) ?? null;
    if (!article) throw new NotFoundError();
    const data = await c.stats.article(id, period);
    const base = common(c, res, period, problem);
    await renderPage(
      res,
      'admin/stats/article',
      {
        ...base,
        title: res.locals.t('Chiffres de « {title} »', { title: article.title }),
        article,
        data,
        charts: data.charts.map((ch) => presentChart(ch, data.buckets, base.f, 'article')),
        publications: data.publications.map((p) => ({
          ...p,
          chart: p.series.length
            ? presentChart(
                { channel: `publication-${p.publication.id}`, series: p.series },
                data.buckets,
                base.f,
                'pub',
                base.f.channelLabel(p.publication.channel),
              )
            : null,
        })),
      },
      problem ? 400 : 200,
    );
  });

  router.get('/admin/stats/export.csv', guard, async (req, res) => {
    const period = periodFrom(req.query as Record<string, unknown>, c.stats.today());
    const [data, articles] = await Promise.all([c.stats.totalsFor(period), c.stats.allArticles(period)]);
    const body = statsCsv(fmt(c, res), period, data, articles);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="statistiques-${period.from}-${period.to}.csv"`);
    res.set('Cache-Control', 'no-store');
    res.send(Buffer.from(body, 'utf8'));
  });

  router.get(REPORT_PATH, guard, async (req, res) => {
    const raw = req.query.mois;
    const month = raw === undefined ? previousMonth(c.stats.today()) : raw;
    if (!isMonth(month)) throw new ValidationError('Choisissez un mois (année et mois).');
    const period = monthPeriod(month);
    const report = await c.stats.monthlyReport(period);
    const base = common(c, res, period);
    await renderPage(res, 'admin/stats/report', {
      ...base,
      title: res.locals.t('Rapport mensuel : {month}', { month: base.f.bucketLabel(month) }),
      month,
      report,
      charts: report.charts.map((ch) => presentChart(ch, report.buckets, base.f, 'rapport')),
    });
  });

  router.get(REPORT_EMAIL_PATH, guard, async (req, res) => {
    await renderPage(res, 'admin/stats/report-email', {
      title: res.locals.t('Rapport mensuel par e-mail'),
      optedOut: await c.statsReports.optedOut(req.user!.id),
      saved: req.query.enregistre === '1',
    });
  });

  router.post(REPORT_EMAIL_PATH, guard, async (req, res) => {
    const optedOut = await c.statsReports.optedOut(req.user!.id);
    await handleForm(res, 'admin/stats/report-email', { title: res.locals.t('Rapport mensuel par e-mail'), optedOut, saved: false }, async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.recevoir !== 'oui' && body.recevoir !== 'non') throw new ValidationError('Choisissez de recevoir ou non le rapport mensuel.');
      await c.statsReports.setOptOut(req.user!.id, body.recevoir === 'non');
      res.redirect(303, `${REPORT_EMAIL_PATH}?enregistre=1`);
    });
  });

  return router;
}
