import { Router } from 'express';
import type { Container } from '../container';

export function settingsRoutes(_c: Container): Router {
  const router = Router();
  return router;
}
