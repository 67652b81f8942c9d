import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The SQLite checkpointer: a worker thread with a connection of its own that copies the WAL's
 * committed pages into the database file (a PASSIVE checkpoint: it never waits for the writer nor
 * makes it wait), and syncs the file: at once again while the WAL keeps growing, else every
 * `everyMs`. The writer's commits then only append to the WAL; the copying and the syncs happen on another thread, beside the writer's work instead of
 * inside its commits. Started and stopped by SqliteDriver (src/store/sqlite.ts), which it tells
 * after each round how far the WAL goes and how much of it is copied (CheckpointReport).
 *
 * SQLite starts the WAL over only at a write transaction that begins when every frame is copied,
 * which a writer that commits batch after batch never meets by chance: asked ('catch-up'), the
 * thread checkpoints at once until the WAL is copied whole (or some reader holds it back), and the
 * writer begins its next transaction on that, so the WAL starts over instead of growing.
 */
export interface CheckpointerData {
  file: string;
  everyMs: number;
}

/** After a round that found the WAL changed, and after a catch-up: the WAL's frames, and how many are in the database file. */
export interface CheckpointReport {
  frames: number;
  copied: number;
  /** Answers a 'catch-up' (copied whole or not: the writer goes on either way). */
  reply?: true;
}

if (parentPort) {
  const port = parentPort;
  const { file, everyMs } = workerData as CheckpointerData;
  const db = new Database(file, { fileMustExist: true, timeout: 2000 });
  let timer: NodeJS.Timeout | undefined;
  const checkpoint = (): CheckpointReport => {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      return { frames: Math.max(0, r.log), copied: Math.max(0, r.checkpointed) };
    } catch {
      // Busy or the file is going away: the next round tries again, and the writer's own
      // checkpoint (its wal_autocheckpoint) is there should this thread fall far behind.
      return { frames: 0, copied: 0 };
    }
  };
  let last = { frames: 0, copied: 0 };
  const round = (): void => {
    const r = checkpoint();
    // While the writer keeps committing, keep up with it (a catch-up then waits for its last commit
    // only) and tell it; idle, look again every everyMs and say nothing.
    const moving = r.frames !== last.frames || r.copied !== last.copied;
    if (moving) port.postMessage(r);
    last = r;
    timer = setTimeout(round, moving ? 1 : everyMs);
  };
  port.on('message', (m: unknown) => {
    if (m === 'catch-up') {
      let r = checkpoint();
      for (let tries = 0; tries < 5 && r.copied < r.frames; tries++) r = checkpoint(); // a reader's snapshot can hold the last frames back a moment
      last = r;
      port.postMessage({ ...r, reply: true });
    } else if (m === 'stop') {
      clearTimeout(timer);
      db.close();
      port.close();
    }
  });
  round();
}
