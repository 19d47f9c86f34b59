import type { Express } from 'express';
import type { Permission } from '../../server/auth/permissions';

export interface RouteInfo {
  method: string;
  path: string;
  /** The requirePermission guard in front of the route (on the route or earlier in its router). */
  permission: Permission | null;
}

type Layer = {
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
  handle: { stack?: Layer[]; permission?: Permission };
  rawPath?: string;
};

/**
 * Every route of the app, found by walking Express's router rather than listed by hand, so that
 * a route added tomorrow is covered by the tests that use this list (route matrix, fuzz test).
 */
export function collectRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string, inherited: Permission | null) => {
    let current = inherited;
    for (const layer of stack) {
      if (layer.route) {
        const guard = layer.route.stack.find((l) => l.handle.permission)?.handle.permission ?? current;
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') continue;
          out.push({ method: method.toUpperCase(), path: prefix + layer.route.path, permission: guard });
        }
      } else if (layer.handle.stack) {
        const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount, current);
      } else if (layer.handle.permission) {
        current = layer.handle.permission;
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', null);
  return out;
}
