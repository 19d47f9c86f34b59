import { Router } from 'express';
import type { Container } from '../container';

export function mediaRoutes(_c: Container): Router {
  return Router();
}

/** Serves image variants from DATA_DIR/media, before sessions. */
export function mediaFilesRoutes(_c: Container): Router {
  return Router();
}
