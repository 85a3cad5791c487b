/**
 * Copies an exported run's files to a folder the user chose. Plain Node (no Electron) so
 * it is tested directly. The run directory stays where the lab keeps it; the copy goes to
 * a new sub-folder named after the run, never over existing files.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, join } from 'node:path';

/** Tries `<parent>/<name>`, then `<name>-2`, `<name>-3`, ... ; returns the folder created. */
async function createFreshFolder(parent: string, name: string): Promise<string> {
  for (let attempt = 1; attempt <= 1000; attempt++) {
    const candidate = join(parent, attempt === 1 ? name : `${name}-${attempt}`);
    try {
      await mkdir(candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not create a new folder named ${name} in ${parent}: too many exist already`);
}

/** A file name the lab reported must be a plain name inside the run directory. */
function assertPlainName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name !== basename(name) || name.includes('\\') || name.includes('\0')) {
    throw new Error(`refusing to export a file named ${JSON.stringify(name)}: not a plain file name`);
  }
}

/**
 * Copies `names` from `runDir` into a new folder under `destinationParent`.
 * Returns the folder and the files copied.
 */
export async function copyRunFiles(runDir: string, names: readonly string[], destinationParent: string): Promise<{ folder: string; files: string[] }> {
  names.forEach(assertPlainName);
  const folder = await createFreshFolder(destinationParent, basename(runDir) || 'run');
  for (const name of names) {
    // COPYFILE_EXCL: the folder is new, so an existing file would mean something is wrong.
    await copyFile(join(runDir, name), join(folder, name), constants.COPYFILE_EXCL);
  }
  return { folder, files: [...names] };
}
