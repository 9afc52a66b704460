// filestore.ts - the files chosen in the submission wizard, kept in the browser's IndexedDB
// under the draft's key. localStorage holds text only, IndexedDB keeps File objects as they
// are, so a reload, a closed tab or a lost connection keeps the chosen files with the draft
// until the dossier is sent (or the draft discarded). Nothing leaves the browser before the
// dossier exists; without IndexedDB (private modes) the files stay in memory and the step says
// so.

export type ChosenFiles = Record<string, File[]>;

const DB = 'tinhso-wizard';
const STORE = 'chosen-files';

function openDb(idb: IDBFactory | undefined = globalThis.indexedDB): Promise<IDBDatabase | null> {
  if (!idb) return Promise.resolve(null);
  return new Promise((resolve) => {
    let req: IDBOpenDBRequest;
    try {
      req = idb.open(DB, 1);
    } catch {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
}

function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined | false> {
  return openDb().then(
    (db) =>
      new Promise((resolve) => {
        if (!db) return resolve(false);
        try {
          const tx = db.transaction(STORE, mode);
          const req = fn(tx.objectStore(STORE));
          tx.oncomplete = () => {
            db.close();
            resolve(req ? req.result : undefined);
          };
          tx.onerror = tx.onabort = () => {
            db.close();
            resolve(false);
          };
        } catch {
          db.close();
          resolve(false);
        }
      }),
  );
}

/** Keeps the chosen files of a draft; false when the browser refused (the UI says so). */
export async function saveChosen(key: string, files: ChosenFiles): Promise<boolean> {
  const r = await run('readwrite', (s) => s.put(files, key));
  return r !== false;
}

/** The files kept for a draft ({} when none or IndexedDB is unavailable). */
export async function loadChosen(key: string): Promise<ChosenFiles> {
  const r = await run<ChosenFiles>('readonly', (s) => s.get(key));
  if (!r || typeof r !== 'object') return {};
  const out: ChosenFiles = {};
  for (const [k, v] of Object.entries(r)) if (Array.isArray(v)) out[k] = v.filter((f) => f instanceof Blob) as File[];
  return out;
}

export async function clearChosen(key: string): Promise<void> {
  await run('readwrite', (s) => s.delete(key));
}
