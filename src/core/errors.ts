// Thrown values, read without trusting their type: a Node.js system error's fields (code, path)
// and any error's message, for the diagnostics that report a failed read or write.
/** The fields of a Node.js system error, read without trusting its type. */
export interface ErrnoInfo {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
  message: string;
}

export function errno(e: unknown): ErrnoInfo {
  const get = (k: string): string | undefined => {
    const v: unknown = e !== null && typeof e === 'object' ? Reflect.get(e, k) : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  return {
    code: get('code'),
    path: get('path'),
    dest: get('dest'),
    syscall: get('syscall'),
    message: get('message') ?? String(e),
  };
}

export function errCode(e: unknown): string | undefined {
  return errno(e).code;
}

/** An error's message, or the thrown value as text. */
export function errorMessage(e: unknown): string {
  return errno(e).message;
}
