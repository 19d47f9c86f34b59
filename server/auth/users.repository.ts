import type { Knex } from 'knex';
import { fromDbBool, fromDbTimeOrNull, toDbTime, fromDbCount } from '../db/dialect';
import type { Role } from './permissions';
import type { Locale } from '../i18n/i18n';

export interface User {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string | null;
  locale: Locale;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  /** The password was printed by Crieur (console, command line): it must be replaced at the next login. */
  mustChangePassword: boolean;
}

interface UserRow {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string | null;
  locale: Locale;
  disabled_at: string | null;
  last_login_at: string | null;
  created_at: string;
  must_change_password: unknown;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    locale: r.locale,
    disabledAt: fromDbTimeOrNull(r.disabled_at),
    lastLoginAt: fromDbTimeOrNull(r.last_login_at),
    createdAt: fromDbTimeOrNull(r.created_at) ?? new Date(0),
    mustChangePassword: fromDbBool(r.must_change_password),
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UsersRepository {
  constructor(private readonly db: Knex) {}

  /** Display names by id, for the domains that show who did something (articles, versions, previews). */
  async displayNames(ids: readonly (number | null)[], trx: Knex = this.db): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
    if (!wanted.length) return new Map();
    const rows: { id: number; display_name: string }[] = await trx('users').whereIn('id', wanted).select('id', 'display_name');
    return new Map(rows.map((r) => [Number(r.id), r.display_name]));
  }

  /** Editors and administrators, and whoever wrote one of `authorIds` (the articles know who), by name. */
  async possibleAuthors(authorIds: number[]): Promise<{ id: number; name: string }[]> {
    const rows: { id: number; display_name: string }[] = await this.db('users')
      .whereIn('role', ['admin', 'editor'])
      .orWhereIn('id', authorIds)
      .orderBy('display_name')
      .select('id', 'display_name');
    return rows.map((r) => ({ id: r.id, name: r.display_name }));
  }

  async findById(id: number, trx: Knex = this.db): Promise<User | null> {
    const row = await trx<UserRow>('users').where({ id }).first();
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string, trx: Knex = this.db): Promise<User | null> {
    const row = await trx<UserRow>('users')
      .where({ email: normalizeEmail(email) })
      .first();
    return row ? toUser(row) : null;
  }

  async count(trx: Knex = this.db): Promise<number> {
    const row = await trx('users').count({ n: '*' }).first();
    return fromDbCount(row?.n);
  }

  /** Administrators who can log in: a password chosen, not disabled (see users.service.ts). */
  async countActiveAdmins(trx: Knex = this.db): Promise<number> {
    const row = await trx('users').where({ role: 'admin' }).whereNull('disabled_at').whereNotNull('password_hash').count({ n: '*' }).first();
    return fromDbCount(row?.n);
  }

  /** The administrators who can act now, the oldest first (the people to ask about an account). */
  async listActiveAdmins(limit: number, trx: Knex = this.db): Promise<User[]> {
    const rows = await trx<UserRow>('users').where({ role: 'admin' }).whereNull('disabled_at').whereNotNull('password_hash').orderBy('id').limit(limit);
    return rows.map(toUser);
  }

  async list(opts: { limit: number; offset: number }, trx: Knex = this.db): Promise<{ rows: User[]; total: number }> {
    const [rows, total] = await Promise.all([trx<UserRow>('users').orderBy('display_name').limit(opts.limit).offset(opts.offset), this.count(trx)]);
    return { rows: rows.map(toUser), total };
  }

  async insert(
    u: { email: string; displayName: string; role: Role; passwordHash: string | null; locale?: Locale; mustChangePassword?: boolean },
    now: Date,
    trx: Knex = this.db,
  ): Promise<number> {
    const [row] = await trx('users')
      .insert({
        email: normalizeEmail(u.email),
        display_name: u.displayName,
        role: u.role,
        password_hash: u.passwordHash,
        locale: u.locale ?? 'fr',
        must_change_password: u.mustChangePassword ?? false,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async update(
    id: number,
    patch: Partial<{
      role: Role;
      passwordHash: string;
      locale: Locale;
      disabledAt: Date | null;
      lastLoginAt: Date;
      displayName: string;
      email: string;
      mustChangePassword: boolean;
    }>,
    now: Date,
    trx: Knex = this.db,
  ): Promise<void> {
    const row: Record<string, unknown> = { updated_at: toDbTime(now) };
    if (patch.role !== undefined) row.role = patch.role;
    if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
    if (patch.locale !== undefined) row.locale = patch.locale;
    if (patch.displayName !== undefined) row.display_name = patch.displayName;
    if (patch.email !== undefined) row.email = normalizeEmail(patch.email);
    if (patch.mustChangePassword !== undefined) row.must_change_password = patch.mustChangePassword;
    if (patch.disabledAt !== undefined) row.disabled_at = patch.disabledAt ? toDbTime(patch.disabledAt) : null;
    if (patch.lastLoginAt !== undefined) row.last_login_at = toDbTime(patch.lastLoginAt);
    await trx('users').where({ id }).update(row);
  }
}
