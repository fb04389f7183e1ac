// Reading a project folder as it was at a git revision, without touching the repository: the
// revision's files (ls-tree + one cat-file --batch) are copied into a fresh folder under the
// system temp dir at the same path from the repository root, so the pipeline reads them, and
// computes repository paths (GitOps output), exactly as it does from a checkout.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

export interface Repo {
  /** Absolute top-level folder of the work tree. */
  root: string;
  /** The project folder (federation.yaml's) relative to `root`, `/`-separated, '' at the root. */
  prefix: string;
}

/** A revision's copy of the project: `root` stands in for the repository root. */
export interface Checkout {
  root: string;
  dir: string;
  /** Whether the revision has the project folder at all. */
  found: boolean;
  remove: () => Promise<void>;
}

export class GitError extends Error {}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new GitError((stderr || err.message).trim()));
      else resolvePromise(stdout);
    });
  });
}

/** The repository holding `dir`, or a GitError saying it is not in one. */
export async function findRepo(dir: string): Promise<Repo> {
  const real = await realpath(dir).catch(() => dir);
  let top: string;
  try {
    top = (await git(real, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new GitError(`${dir} is not inside a git repository (or git is not installed)`);
  }
  const root = await realpath(top);
  return { root, prefix: relative(root, real).split(sep).join('/') };
}

/** The commit a revision names, or a GitError with a message for the user. */
export async function resolveCommit(repo: Repo, rev: string): Promise<string> {
  try {
    return (
      await git(repo.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])
    ).trim();
  } catch {
    throw new GitError(`unknown revision "${rev}": not a commit in the repository at ${repo.root}`);
  }
}

interface Entry {
  mode: string;
  type: string;
  sha: string;
  path: string;
}

/** Copies the project folder at `commit` into a new temp folder. */
export async function checkout(repo: Repo, commit: string): Promise<Checkout> {
  const root = await mkdtemp(join(tmpdir(), 'fedrender-diff-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const dir = repo.prefix ? join(root, ...repo.prefix.split('/')) : root;
    const listing = await git(repo.root, [
      'ls-tree',
      '-r',
      '-z',
      '--full-tree',
      commit,
      '--',
      ...(repo.prefix ? [repo.prefix + '/'] : []),
    ]);
    const entries: Entry[] = listing
      .split('\0')
      .filter((l) => l !== '')
      .map((l) => {
        const tab = l.indexOf('\t');
        const [mode, type, sha] = l.slice(0, tab).split(' ');
        return { mode, type, sha, path: l.slice(tab + 1) };
      })
      // Submodules are other repositories: the pipeline never reads into them either.
      .filter((e) => e.type === 'blob');
    await mkdir(dir, { recursive: true });
    const blobs = await catBlobs(
      repo.root,
      entries.map((e) => e.sha),
    );
    const targets = entries.map((e) => join(root, ...e.path.split('/')));
    for (const parent of [...new Set(targets.map((t) => dirname(t)))].sort())
      await mkdir(parent, { recursive: true });
    await Promise.all(
      entries.map((e, i) =>
        e.mode === '120000'
          ? symlink(blobs[i].toString('utf8'), targets[i])
          : writeFile(targets[i], blobs[i]),
      ),
    );
    return { root, dir, found: entries.length > 0, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** Contents of the given blobs, in order, through one `git cat-file --batch`. */
function catBlobs(cwd: string, shas: string[]): Promise<Buffer[]> {
  if (shas.length === 0) return Promise.resolve([]);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e) => reject(new GitError(e.message)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitError(stderr.trim() || `git cat-file exited with ${code}`));
      const all = Buffer.concat(chunks);
      const out: Buffer[] = [];
      let at = 0;
      for (let i = 0; i < shas.length; i++) {
        const nl = all.indexOf(10, at);
        const header = all.subarray(at, nl).toString('utf8').split(' ');
        if (header[1] !== 'blob')
          return reject(new GitError(`git cat-file: unexpected "${header.join(' ')}"`));
        const size = Number(header[2]);
        out.push(all.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
      }
      resolvePromise(out);
    });
    child.stdin.end(shas.join('\n') + '\n');
  });
}
