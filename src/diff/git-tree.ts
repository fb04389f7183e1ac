// Reading a project folder as it was at a git revision, without touching the repository: the
// revision's files are copied into a fresh folder under the system temp dir at the same path
// from the repository root, so the pipeline reads them, and computes repository paths (GitOps
// output), exactly as it does from a checkout.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

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

function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // git runs with the caller's environment (PATH, HOME, its config), plus the private index.
    const opts = { cwd, maxBuffer: 1 << 30, encoding: 'utf8' as const, env: { ...process.env, ...env } };
    execFile('git', args, opts, (err, stdout, stderr) => {
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

/**
 * Copies the project folder at `commit` into a new temp folder: git itself writes the files
 * (read-tree into a private index file, then checkout-index), so they come out exactly as a
 * checkout would write them (line endings, symlinks) and the repository's own index and work
 * tree are never touched.
 */
export async function checkout(repo: Repo, commit: string): Promise<Checkout> {
  const temp = await mkdtemp(join(tmpdir(), 'fedrender-diff-'));
  const remove = () => rm(temp, { recursive: true, force: true });
  try {
    const root = join(temp, 'tree');
    const dir = repo.prefix ? join(root, ...repo.prefix.split('/')) : root;
    await mkdir(dir, { recursive: true });
    const tree = repo.prefix ? `${commit}:${repo.prefix}` : `${commit}^{tree}`;
    const env = { GIT_INDEX_FILE: join(temp, 'index') };
    // A revision that predates the project folder (or has a file there) has no project.
    const type = await git(repo.root, ['cat-file', '-t', tree]).catch(() => '');
    if (type.trim() !== 'tree') return { root, dir, found: false, remove };
    await git(repo.root, ['read-tree', tree], env);
    await git(repo.root, ['checkout-index', '--all', '--force', `--prefix=${dir}${sep}`], env);
    return { root, dir, found: true, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
