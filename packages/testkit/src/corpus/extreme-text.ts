/** The planted secrets and texts the extreme values carry. */
import { SECRET } from './types.js';

/** A secret placed only where redaction must catch it (URL passwords, auth headers, password fields). */
export const REDACTABLE_SECRET = 'Lq9Rt7xZpw42';

/** SQL, a table name, a path, an internal host and address, and the corpus {@link SECRET}. */
export const EXTREME_TEXT = `SELECT * FROM users_private WHERE pw='${SECRET}' /srv/app/db.ts db.internal:5432 10.0.0.7`;

/** A connection string whose password is {@link REDACTABLE_SECRET}. */
export const EXTREME_DSN = `postgres://admin:${REDACTABLE_SECRET}@10.0.0.7:5432/shop`;
