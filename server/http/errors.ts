/**
 * Domain errors carry the HTTP status they map to. Services throw them; the one error handler
 * turns them into a page or JSON. The message is already written for the user (an i18n key).
 */
export class DomainError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly vars: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    public readonly fields: Record<string, string> = {},
    vars: Record<string, string | number> = {},
  ) {
    super(message, 400, vars);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Cette page n’existe pas ou plus.') {
    super(message, 404);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Votre rôle ne permet pas cette action.') {
    super(message, 403);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, vars: Record<string, string | number> = {}) {
    super(message, 409, vars);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    vars: Record<string, string | number> = {},
    public readonly retryAfterSeconds = 60,
  ) {
    super(message, 429, vars);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(message: string, vars: Record<string, string | number> = {}) {
    super(message, 413, vars);
  }
}
