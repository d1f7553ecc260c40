import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onSwap` whenever Kubernetes atomically swaps a mounted Secret's contents, i.e. when the
 * `..data` symlink inside `dir` is (re)created. Other changes are ignored, as upstream does.
 */
export function watchSecretMount(dir: string, onSwap: () => void, onError: (err: Error) => void): FSWatcher {
  const watcher = watch(dir, (event, filename) => {
    if (event === 'rename' && filename === '..data') onSwap();
  });
  watcher.on('error', (err) => {
    onError(err);
    watcher.close();
  });
  return watcher;
}
