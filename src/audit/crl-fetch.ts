/**
 * Fetching a CRL from a distribution point URL over HTTP(S). Settings are one mutable object so
 * the server (or a test) can change them; a failure is an Error whose message says what happened
 * (status, timeout, size), never a silent "nothing revoked".
 */
export const crlFetchSettings = {
  /** Per URL, headers and body together. */
  timeoutMs: 5000,
  /** All fetches one check starts, together: a registry full of dead URLs must not hold an audit for minutes. */
  checkBudgetMs: 20_000,
  /** Fetches in flight at once. */
  concurrency: 8,
  /** A CRL larger than this is refused (a CA with a million revocations serves about 40 MB). */
  maxBytes: 64 * 1024 * 1024,
};

/** The body of `url`, or an Error naming why it could not be had. */
export async function fetchCrlBytes(url: string, signal: AbortSignal): Promise<Buffer> {
  const timeout = AbortSignal.timeout(crlFetchSettings.timeoutMs);
  const both = AbortSignal.any([timeout, signal]);
  try {
    const res = await fetch(url, { signal: both, redirect: 'follow', headers: { accept: 'application/pkix-crl, application/x-pkcs7-crl, */*' } });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > crlFetchSettings.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`the CRL is ${declared} bytes, more than the ${crlFetchSettings.maxBytes} allowed`);
    }
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > crlFetchSettings.maxBytes) throw new Error(`the CRL is more than the ${crlFetchSettings.maxBytes} bytes allowed`);
      parts.push(Buffer.from(chunk));
    }
    return Buffer.concat(parts);
  } catch (e) {
    if (timeout.aborted) throw new Error(`no answer within ${crlFetchSettings.timeoutMs} ms`);
    if (signal.aborted) throw new Error(`not fetched: the check's ${crlFetchSettings.checkBudgetMs} ms for fetching CRLs was spent, or the audit stopped`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(cause?.code ?? cause?.message ?? (e as Error).message);
  }
}
