/**
 * The autosaved session in IndexedDB: the session JSON (src/io/session.ts),
 * written a moment after the last change, and — only when the analyst ticks
 * "Keep images in this browser" — the image files themselves as Blobs.
 * Nothing here ever leaves the browser.
 */
import {
  parseSession,
  sessionToJson,
  type Session,
  type SessionFileRef,
  type SessionRole,
} from '../io/session.ts';

const DB_NAME = 'quaywatch';
const DB_VERSION = 1;
const SESSIONS = 'session';
const IMAGES = 'images';
const CURRENT = 'current';
/** Reads at start-up wait at most this long: a storage that does not answer must not hold up the app. */
const READ_TIMEOUT_MS = 5_000;

export interface KeptImage {
  readonly role: SessionRole;
  readonly name: string;
  readonly blob: Blob;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    transaction.onabort = transaction.onerror = () => {
      reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    };
  });
}

/** `promise`, or a rejection naming `what` once `ms` have passed without an answer. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

let opened: Promise<IDBDatabase> | undefined;

function database(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') {
    return Promise.reject(new Error('this browser has no IndexedDB'));
  }
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(SESSIONS)) db.createObjectStore(SESSIONS);
      if (!db.objectStoreNames.contains(IMAGES)) db.createObjectStore(IMAGES);
    };
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('IndexedDB could not be opened'));
    };
    req.onblocked = () => {
      reject(new Error('IndexedDB is blocked by another tab of Quaywatch'));
    };
  });
  opened.catch(() => {
    opened = undefined;
  });
  return opened;
}

/** The autosaved session; null when there is none. A damaged one is an Error naming why. */
export async function loadStoredSession(timeoutMs = READ_TIMEOUT_MS): Promise<Session | null> {
  return loadSessionRecord(CURRENT, 'The autosaved session', timeoutMs);
}

/** The session stored under `key`, parsed (named `what` in its errors); null when there is none. */
async function loadSessionRecord(
  key: string,
  what: string,
  timeoutMs: number,
): Promise<Session | null> {
  const read = async (): Promise<unknown> => {
    const db = await database();
    return request<unknown>(db.transaction(SESSIONS, 'readonly').objectStore(SESSIONS).get(key));
  };
  const text = await within(read(), timeoutMs, "This browser's storage (IndexedDB)");
  if (typeof text !== 'string') return null;
  return parseSession(text, what);
}

/** The key of a pair's own record: its two files by role, name and size. */
export function pairSessionKey(files: readonly SessionFileRef[]): string {
  const of = (role: SessionRole): string => {
    const file = files.find((candidate) => candidate.role === role);
    return file === undefined ? '-' : `${file.name}\u0000${file.sizeBytes}`;
  };
  return `pair\u0000${of('before')}\u0000${of('after')}`;
}

/**
 * Stores the session as the current one and as its pair's own: opening other
 * files (the demo, say) and working on them must not lose the session of a
 * pair opened again later, which loadPairSession finds.
 */
export async function storeSession(session: Session): Promise<void> {
  const db = await database();
  const transaction = db.transaction(SESSIONS, 'readwrite');
  const text = sessionToJson(session);
  transaction.objectStore(SESSIONS).put(text, CURRENT);
  transaction.objectStore(SESSIONS).put(text, pairSessionKey(session.files));
  await done(transaction);
}

/** The last session autosaved for exactly these files; null when there is none. */
export async function loadPairSession(
  files: readonly SessionFileRef[],
  timeoutMs = READ_TIMEOUT_MS,
): Promise<Session | null> {
  return loadSessionRecord(
    pairSessionKey(files),
    'The autosaved session of these files',
    timeoutMs,
  );
}

/** Replaces the kept images with these (an empty list removes them). */
export async function storeImages(images: readonly KeptImage[]): Promise<void> {
  const db = await database();
  const transaction = db.transaction(IMAGES, 'readwrite');
  const store = transaction.objectStore(IMAGES);
  store.clear();
  for (const image of images) {
    store.put({ role: image.role, name: image.name, blob: image.blob }, image.role);
  }
  await done(transaction);
}

export async function loadImages(timeoutMs = READ_TIMEOUT_MS): Promise<KeptImage[]> {
  const read = async (): Promise<unknown[]> => {
    const db = await database();
    return request<unknown[]>(db.transaction(IMAGES, 'readonly').objectStore(IMAGES).getAll());
  };
  const values = await within(read(), timeoutMs, "This browser's storage (IndexedDB)");
  return values.flatMap((value): KeptImage[] => {
    if (typeof value !== 'object' || value === null) return [];
    const { role, name, blob } = value as Record<string, unknown>;
    if ((role !== 'before' && role !== 'after') || typeof name !== 'string') return [];
    if (!(blob instanceof Blob)) return [];
    return [{ role, name, blob }];
  });
}

/**
 * Calls `save` once, `delayMs` after the last `schedule()`; `flush()` saves
 * a pending change now (on leaving the page).
 */
export class DebouncedSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly save: () => void,
    private readonly delayMs = 400,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.delayMs);
  }

  flush(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
  }
}
