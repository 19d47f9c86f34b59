import { Router } from 'express';
import type { Clock } from '../clock';
import { renderPage } from '../http/render';
import type { Container } from '../container';
import { pageMeta } from './metadata';
import { LICENCE } from './opendata';
import type { DatasetFormat, DatasetName, OpenDataService } from './opendata.service';

const FILES: { name: DatasetName; format: DatasetFormat }[] = [
  { name: 'articles', format: 'csv' },
  { name: 'articles', format: 'json' },
  { name: 'evenements', format: 'csv' },
  { name: 'evenements', format: 'json' },
];

/** /donnees-ouvertes: the page that describes the datasets, and the files themselves. */
export function openDataRoutes(c: Pick<Container, 'config'>, openData: OpenDataService, clock: Clock): Router {
  const router = Router();

  router.get('/donnees-ouvertes', async (_req, res) => {
    const t = res.locals.t;
    const title = t('Données ouvertes');
    const meta = pageMeta(
      {
        title,
        description: t('Les actualités et les événements de {commune} en données ouvertes, sous Licence Ouverte 2.0.', { commune: res.locals.commune.name }),
        path: '/donnees-ouvertes',
      },
      c,
    );
    await renderPage(res, 'site/opendata', { title, meta, datasets: await openData.datasets(), licence: LICENCE, baseUrl: c.config.baseUrl });
  });

  for (const { name, format } of FILES) {
    router.get(`/donnees-ouvertes/${name}.${format}`, async (_req, res) => {
      const file = await openData.file(name, format, clock.now());
      res
        .set({
          'Content-Disposition': `attachment; filename="${file.filename}"`,
          'Cache-Control': 'public, max-age=300',
          // Public data under an open licence: any site or notebook may fetch it.
          'Access-Control-Allow-Origin': '*',
        })
        .type(file.contentType)
        .send(file.body);
    });
  }

  return router;
}
