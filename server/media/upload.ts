import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { PayloadTooLargeError, ValidationError } from '../http/errors';
import { containsNul, NulCharacterError } from '../http/nul-guard';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * One image per request, kept in memory (it is decoded and re-encoded, never stored as received).
 * The few text fields (_csrf, alt, credit) come before the file in the form, so the CSRF token is
 * known even when the file turns out to be too large.
 */
const parser = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
  // Browsers send file names in UTF-8; busboy would read them as Latin-1.
  defParamCharset: 'utf8',
}).single('file');

/** Parses the multipart body; multer's limit errors become sentences an editor understands. */
export function acceptUpload(req: Request, res: Response, next: NextFunction): void {
  parser(req, res, (err: unknown) => {
    if (!err) return next(containsNul(req.body) ? new NulCharacterError() : undefined);
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(new PayloadTooLargeError('Ce fichier est trop lourd : 20 Mo au plus.'));
      return next(new ValidationError('Envoyez une seule image à la fois, avec le formulaire de la médiathèque.'));
    }
    // Anything else comes from reading the body (a cut-off or forged multipart stream): the
    // sender's fault, not the server's.
    next(new ValidationError('Le formulaire envoyé est incomplet ou mal formé : rechargez la page puis réessayez.'));
  });
}
