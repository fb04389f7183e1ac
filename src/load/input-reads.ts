// What the no-op check (build-cache.ts) globbed and read, handed to the build that follows when
// the check misses: a build after a one-file change would otherwise expand the globs (a realpath
// and a stat per file) and read every input twice, ~0.4 s of its ~2 s at 2,000 inputs. Texts are
// taken once: the build reads a file from here or from disk, never both, and the bytes it hashes
// for the next no-op check are the bytes it parsed either way.
export class InputReads {
  private readonly globs = new Map<string, string[]>();
  private readonly texts = new Map<string, string>();

  /** The files one expandGlobs call found, when it reported nothing. */
  putGlob(key: GlobKey, files: readonly string[]): void {
    this.globs.set(globKey(key), [...files]);
  }

  globbed(key: GlobKey): string[] | undefined {
    return this.globs.get(globKey(key));
  }

  putText(absPath: string, text: string): void {
    this.texts.set(absPath, text);
  }

  /** The text read before, forgotten here (the build holds it from now on). */
  takeText(absPath: string): string | undefined {
    const text = this.texts.get(absPath);
    this.texts.delete(absPath);
    return text;
  }
}

/** What an expansion depends on: the folder, the patterns, the excludes, and what they are for. */
export interface GlobKey {
  dir: string;
  patterns: readonly string[];
  exclude: readonly string[];
  what?: string;
}

function globKey(k: GlobKey): string {
  return JSON.stringify([k.dir, k.patterns, k.exclude, k.what ?? 'resource']);
}
