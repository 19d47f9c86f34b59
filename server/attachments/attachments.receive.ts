import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response } from 'express';
import multer from 'multer';
import { CsrfError, isValidCsrf } from '../http/csrf';
import { DomainError, PayloadTooLargeError, ValidationError } from '../http/errors';
import { containsNul, NulCharacterError } from '../http/nul-guard';
import type { ReceivedFile } from './attachments.service';

// The form's few text fields and multipart framing, on top of the file itself.
const OVERHEAD = 64 * 1024;
const MALFORMED = 'Le formulaire envoyé est incomplet ou mal formé : rechargez la page puis réessayez.';
const NO_FILE = 'Choisissez un fichier à joindre.';

export interface Received {
  fields: Record<string, string>;
  file: ReceivedFile | null;
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError('Ce fichier est trop lourd : {max} Mo au plus.', { max: Math.round(maxBytes / 1024 / 1024) });
}

/**
 * multer's storage, writing the file straight to DATA_DIR/attachments/.incoming while it arrives.
 * The CSRF token comes before the file in the form: it is checked before a byte is written.
 */
function incomingStorage(dir: string): multer.StorageEngine {
  return {
    _handleFile(req, file, cb) {
      if (!isValidCsrf(req as Request)) {
        file.stream.resume();
        return cb(new CsrfError());
      }
      const target = path.join(dir, crypto.randomBytes(16).toString('hex'));
      const out = createWriteStream(target, { flags: 'wx' });
      let size = 0;
      file.stream.on('data', (chunk: Buffer) => (size += chunk.length));
      file.stream.on('error', (err) => cb(err));
      out.on('error', (err) => cb(err));
      out.on('finish', () => cb(null, { path: target, size }));
      file.stream.pipe(out);
    },
    _removeFile(_req, file, cb) {
      fs.rm(file.path, { force: true }).then(() => cb(null), cb);
    },
  };
}

/**
 * Receives one file to a temporary file, counting bytes as they come: the limit is enforced while
 * receiving (a 20 GB upload is cut at the limit, never held in memory; a declared length over it
 * is refused before reading). On any refusal the temporary file is removed and the connection
 * closed once answered, so the rest of an oversized body is not read.
 */
export async function receiveUpload(req: Request, res: Response, opts: { maxBytes: number; incomingDir: string }): Promise<Received> {
  try {
    if (!req.is('multipart/form-data')) throw new ValidationError(NO_FILE, { file: NO_FILE });
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > opts.maxBytes + OVERHEAD) throw tooLarge(opts.maxBytes);
    await fs.mkdir(opts.incomingDir, { recursive: true });
    const parser = multer({
      storage: incomingStorage(opts.incomingDir),
      limits: { fileSize: opts.maxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
      defParamCharset: 'utf8',
    }).single('file');
    await new Promise<void>((resolve, reject) =>
      parser(req, res, (err: unknown) => {
        if (!err) return resolve();
        if (err instanceof DomainError) return reject(err);
        if (err instanceof multer.MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') return reject(tooLarge(opts.maxBytes));
          return reject(new ValidationError('Joignez un seul fichier à la fois, avec le formulaire de l’article.'));
        }
        reject(new ValidationError(MALFORMED));
      }),
    );
    const fields = (req.body ?? {}) as Record<string, string>;
    const file = req.file ? { path: req.file.path, originalName: req.file.originalname, size: req.file.size } : null;
    try {
      if (!isValidCsrf(req)) throw new CsrfError();
      if (containsNul(fields)) throw new NulCharacterError();
      if (!file || file.size === 0) throw new ValidationError(NO_FILE, { file: NO_FILE });
    } catch (err) {
      if (file) await fs.rm(file.path, { force: true });
      throw err;
    }
    return { fields, file };
  } catch (err) {
    res.set('Connection', 'close');
    throw err;
  }
}
