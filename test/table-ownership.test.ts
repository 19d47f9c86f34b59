import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Each table is read and written by the domain that owns it (docs/architecture.md). This reads the
 * owners from that page and every query of server/ (knex calls, qualified columns, raw SQL), and
 * names each file that touches a table of another domain.
 */
const ROOT = path.join(__dirname, '..');
const MIGRATIONS = path.join(ROOT, 'server/db/migrations');

/** Files allowed to name another domain's table, each with its reason. None today. */
const ALLOWED: Record<string, string> = {};

/** Calls whose first argument is a table-like name but not a table (cache keys…). */
const NOT_QUERIES = new Set(['remember']);

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (c) => visit(c, fn));
}

function parse(file: string, text = fs.readFileSync(file, 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

/** `db`, `this.db`, `trx<Row>`, `q.leftJoin`… → the name that is called. */
function calleeName(e: ts.Expression): string {
  while (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

function isText(n: ts.Node): n is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateLiteralLikeNode {
  return ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n);
}

/** Every table the migrations create, with its columns (to tell `articles.title` from `media.uploaded`). */
function tablesFromMigrations(): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  for (const name of fs.readdirSync(MIGRATIONS)) {
    visit(parse(path.join(MIGRATIONS, name)), (n) => {
      if (ts.isCallExpression(n) && ['createTable', 'alterTable', 'table'].includes(calleeName(n.expression))) {
        const [table, body] = n.arguments;
        if (!table || !ts.isStringLiteral(table)) return;
        const columns = tables.get(table.text) ?? new Set<string>();
        tables.set(table.text, columns);
        if (body)
          visit(body, (m) => {
            if (ts.isCallExpression(m) && m.arguments[0] && ts.isStringLiteral(m.arguments[0])) columns.add(m.arguments[0].text);
          });
      }
      if (isText(n)) for (const m of n.text.matchAll(/CREATE VIRTUAL TABLE (?:IF NOT EXISTS )?(\w+)/g)) tables.set(m[1]!, tables.get(m[1]!) ?? new Set());
    });
  }
  return tables;
}

/** '../articles/articles.status' names a module, not the column status of articles. */
function isModulePath(n: ts.Node): boolean {
  const p = n.parent;
  return (
    ts.isImportDeclaration(p) ||
    ts.isExportDeclaration(p) ||
    (ts.isCallExpression(p) && (p.expression.kind === ts.SyntaxKind.ImportKeyword || calleeName(p.expression) === 'require'))
  );
}

/** The tables a source text names in a query, or keeps in a variable or property called …table. */
export function tablesUsed(source: ts.SourceFile, tables: Map<string, Set<string>>): Set<string> {
  const used = new Set<string>();
  visit(source, (n) => {
    if (!isText(n) || isModulePath(n)) return;
    // db('articles'), trx('articles as a'), q.leftJoin('users as u', …), .from('pages')
    const whole = /^\s*(\w+)(?:\s+as\s+\w+)?\s*$/i.exec(n.text)?.[1];
    if (whole && tables.has(whole) && ts.isCallExpression(n.parent) && n.parent.arguments[0] === n) {
      if (!NOT_QUERIES.has(calleeName(n.parent.expression))) used.add(whole);
    }
    // const TABLE = 'pages', { ftsTable: 'articles_fts' }: a name kept for a query built elsewhere
    const holder = ts.isPropertyAssignment(n.parent) || ts.isVariableDeclaration(n.parent) ? n.parent.name.getText() : '';
    if (/table/i.test(holder) && tables.has(n.text)) used.add(n.text);
    // 'articles.title', 'pages.*', and the same inside raw SQL
    for (const [, table = '', column = ''] of n.text.matchAll(/\b(\w+)\.(\w+|\*)/g)) {
      if ((column === '*' && tables.has(table)) || tables.get(table)?.has(column)) used.add(table);
    }
    // raw SQL: … FROM articles, JOIN users, INSERT INTO pages, UPDATE media
    for (const [, table = ''] of n.text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)/gi)) if (tables.has(table)) used.add(table);
  });
  return used;
}

/** table → owning folder (server/<domain>/), from the table in docs/architecture.md. */
function ownersFromDoc(): Map<string, { folder: string; repository: string }> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const owners = new Map<string, { folder: string; repository: string }>();
  for (const [, table = '', folder = '', repository = ''] of doc.matchAll(/^\| (\w+) \| (server\/[\w-]+\/) \| ([\w.-]+) \|$/gm))
    owners.set(table, { folder, repository });
  return owners;
}

const tables = tablesFromMigrations();
const owners = ownersFromDoc();

describe('table ownership', () => {
  test('the scanner sees knex calls, qualified columns and raw SQL, and nothing else', () => {
    const sample = parse(
      'sample.ts',
      `import { can } from '../articles/articles.status';
       db('articles as a').leftJoin('users as u', 'u.id', 'a.author_id');
       trx.raw('select id from pages where x = 1');
       q.select('media_variants.width');
       this.db<Row>('audit_log');
       const index = { ftsTable: 'pages_fts' };
       memo.remember('categories', () => 1);
       audit.append({ action: 'media.uploaded', targetType: 'settings' });
       path.join(dir, 'publications');`,
    );
    expect([...tablesUsed(sample, tables)].sort()).toEqual(['articles', 'audit_log', 'media_variants', 'pages', 'pages_fts', 'users']);
  });

  test('every table the migrations create has one owner in docs/architecture.md, and that owner exists', () => {
    expect([...tables.keys()].filter((t) => !owners.has(t)).sort()).toEqual([]);
    expect([...owners.keys()].filter((t) => !tables.has(t)).sort()).toEqual([]);
    for (const [table, { folder, repository }] of owners) expect(`${table}: ${fs.existsSync(path.join(ROOT, folder, repository))}`).toBe(`${table}: true`);
  });

  test("no file of server/ touches another domain's table", () => {
    const found: string[] = [];
    for (const file of walk(path.join(ROOT, 'server'))) {
      const rel = path.relative(ROOT, file).split(path.sep).join('/');
      if (rel.startsWith('server/db/migrations/') || ALLOWED[rel]) continue;
      for (const table of tablesUsed(parse(file), tables)) {
        const owner = owners.get(table)?.folder;
        if (owner && !rel.startsWith(owner)) found.push(`${rel} touches ${table} (owner ${owner})`);
      }
    }
    expect(found.sort()).toEqual([]);
  });
});
