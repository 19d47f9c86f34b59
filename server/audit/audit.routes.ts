import { Router } from 'express';
import type { Container } from '../container';

export function auditRoutes(_c: Container): Router {
  const router = Router();
  return router;
}
