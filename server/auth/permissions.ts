/**
 * What each role may do. Routes ask for a permission, never for a role, so that the matrix of
 * who-does-what stays in this one table.
 */
export const ROLES = ['admin', 'editor', 'elected'] as const;
export type Role = (typeof ROLES)[number];

const MATRIX = {
  'admin.access': ['admin', 'editor', 'elected'],
  'articles.read': ['admin', 'editor', 'elected'],
  'articles.write': ['admin', 'editor'],
  'articles.publish': ['admin', 'editor'],
  'articles.approve': ['admin', 'elected'],
  'articles.delete': ['admin', 'editor'],
  // The site's categories (add, rename, reorder, merge, delete): the communication staff's, as in WordPress.
  'categories.manage': ['admin', 'editor'],
  'media.read': ['admin', 'editor', 'elected'],
  'media.write': ['admin', 'editor'],
  'stats.read': ['admin', 'editor', 'elected'],
  // The reach dashboard, its exports and the monthly report: for the mayor, the élus and administrators (issue 13).
  'stats.dashboard': ['admin', 'elected'],
  'settings.manage': ['admin'],
  // Removing the demo commune before going live: it deletes articles and pages, administrators only.
  'demo.remove': ['admin'],
  'users.manage': ['admin'],
  'audit.read': ['admin'],
  'mailbox.read': ['admin'],
  'jobs.read': ['admin'],
  // Social accounts hold the commune's tokens: administrators only.
  'accounts.manage': ['admin'],
  // The newsletter's subscribers: personal data, handled by the communication staff.
  'subscribers.manage': ['admin', 'editor'],
  // Starting, pausing and resuming a newsletter campaign: it reaches every subscriber.
  'newsletter.send': ['admin', 'editor'],
  // The commune's own pages (la mairie, horaires…) and the site's menus.
  'pages.manage': ['admin', 'editor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof MATRIX;

export function can(role: Role | undefined | null, permission: Permission): boolean {
  return !!role && (MATRIX[permission] as readonly Role[]).includes(role);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrateur',
  editor: 'Chargé de communication',
  elected: 'Élu',
};
