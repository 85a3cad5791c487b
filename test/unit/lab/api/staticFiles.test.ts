import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { mimeTypeFor, resolveStaticFile } from '../../../../src/lab/api/staticFiles';

describe('resolveStaticFile', () => {
  let root: string;
  beforeAll(async () => {
    root = realpathSync(await mkdtemp(join(tmpdir(), 'raftlab-static-')));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), 'x');
    await writeFile(join(root, 'assets', 'a b.js'), 'x');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('maps / and directories to index.html and decodes names', async () => {
    expect(await resolveStaticFile(root, '/')).toEqual({ ok: true, file: join(root, 'index.html') });
    expect(await resolveStaticFile(root, '/assets/a%20b.js')).toEqual({ ok: true, file: join(root, 'assets', 'a b.js') });
    expect(await resolveStaticFile(root, '/assets/')).toEqual({ ok: false, reason: 'not-found' });
  });

  it('refuses dot-dot segments, backslashes, NUL and malformed escapes', async () => {
    expect(await resolveStaticFile(root, '/assets/../index.html')).toEqual({ ok: false, reason: 'forbidden' });
    expect(await resolveStaticFile(root, '/%2E%2E/x')).toEqual({ ok: false, reason: 'forbidden' });
    expect(await resolveStaticFile(root, '/..%5c..%5cx')).toEqual({ ok: false, reason: 'bad-request' });
    expect(await resolveStaticFile(root, '/index.html%00.js')).toEqual({ ok: false, reason: 'bad-request' });
    expect(await resolveStaticFile(root, '/%E0%A4%A')).toEqual({ ok: false, reason: 'bad-request' });
    expect(await resolveStaticFile(root, 'index.html')).toEqual({ ok: false, reason: 'bad-request' });
  });

  it('names MIME types by extension', () => {
    expect(mimeTypeFor('a/index.HTML')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('x.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('x.unknown')).toBe('application/octet-stream');
  });
});
