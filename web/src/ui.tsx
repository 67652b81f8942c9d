import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { describeError } from './api';
import { choices, hint, violations } from './model';
import { href } from './router';

/** Loads once (and again when `deps` change or reload() is called); errors are kept as AWS's text. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data?: T; error?: string; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (e) => live && setState({ error: describeError(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Calls `fn` every `ms` while mounted and `on` is true. */
export function useInterval(fn: () => void, ms: number, on = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!on) return;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, on]);
}

/**
 * One page of a server-side list: the API's nextToken and maxResults. The view keeps the tokens of the
 * pages it went through, so Previous works; it never loads more than one page.
 */
export function usePages<T>(fetch: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>, deps: unknown[] = [], refresh?: unknown) {
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setTokens([undefined]), deps);
  const token = tokens[tokens.length - 1];
  // `refresh`: a change reloads the page shown (a running task's progress), not the first page.
  const page = useLoad(() => fetch(token), [...deps, token, refresh]);
  return {
    ...page,
    pageNumber: tokens.length,
    next: page.data?.nextToken ? () => setTokens((t) => [...t, page.data!.nextToken]) : undefined,
    previous: tokens.length > 1 ? () => setTokens((t) => t.slice(0, -1)) : undefined,
  };
}

export function Pager(p: { pageNumber: number; next?: () => void; previous?: () => void }) {
  if (!p.next && !p.previous) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={p.previous} disabled={!p.previous}>Previous page</button>
      <span>Page {p.pageNumber}</span>
      <button type="button" onClick={p.next} disabled={!p.next}>Next page</button>
    </nav>
  );
}

export function ErrorBox({ error }: { error?: string }) {
  if (!error) return null;
  return <p class="error" role="alert">{error}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" aria-live="polite">Loading {what}…</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Link({ to, children, label }: { to: string; children: ComponentChildren; label?: string }) {
  return <a {...href(to)} aria-label={label}>{children}</a>;
}

export function Status({ value }: { value?: string }) {
  const v = value ?? 'UNKNOWN';
  return <span class={`status s-${v.toLowerCase()}`}>{v}</span>;
}

export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div class="progress">
      <progress max={Math.max(total, 1)} value={done} aria-label={label} />
      <span>{done} / {total} ({pct}%)</span>
    </div>
  );
}

export const fmtDate = (d?: Date | string | number): string => (d === undefined ? '—' : new Date(d).toLocaleString());

/** Runs an action from a button: busy while it runs, AWS's message on failure. */
export function useAction(): { busy: boolean; error?: string; done?: string; run: (fn: () => Promise<string | void>) => Promise<void> } {
  const [state, setState] = useState<{ busy: boolean; error?: string; done?: string }>({ busy: false });
  const run = useCallback(async (fn: () => Promise<string | void>) => {
    setState({ busy: true });
    try {
      const done = await fn();
      setState({ busy: false, done: done || undefined });
    } catch (e) {
      setState({ busy: false, error: describeError(e) });
    }
  }, []);
  return { ...state, run };
}

export function ActionResult({ a }: { a: { error?: string; done?: string } }) {
  return (
    <>
      <ErrorBox error={a.error} />
      {a.done && <p class="ok" role="status">{a.done}</p>}
    </>
  );
}

/**
 * A text field checked against the AWS model's constraints for `path` in `operation`'s input as it is
 * typed: what the server would refuse is flagged (aria-invalid and the constraint in AWS's words), but
 * the form still sends it, and the server's own answer is what counts.
 */
export function ModelField(p: { operation: string; path: string; label: string; value: string; onInput: (v: string) => void; name?: string; wide?: boolean; disabled?: boolean; placeholder?: string }) {
  const id = useId();
  const [touched, setTouched] = useState(false);
  const problems = p.disabled || (!touched && p.value === '') ? [] : violations(p.operation, p.path, p.value);
  const h = hint(p.operation, p.path);
  const described = [h ? `${id}-hint` : '', problems.length > 0 ? `${id}-problems` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label>
        {p.label}
        <input class={p.wide ? 'wide' : undefined} name={p.name} value={p.value} disabled={p.disabled} placeholder={p.placeholder}
          aria-invalid={problems.length > 0 ? 'true' : undefined} aria-describedby={described || undefined}
          onInput={(e) => (setTouched(true), p.onInput(e.currentTarget.value))} onBlur={() => setTouched(true)} />
      </label>
      {h && <p id={`${id}-hint`} class="hint muted">{h}</p>}
      {problems.length > 0 && <p id={`${id}-problems`} class="invalid">{problems.join('; ')}</p>}
    </>
  );
}

/** A choice among an enum member's values, in the model's order. */
export function ModelSelect(p: { operation: string; path: string; label: string; value: string; onChange: (v: string) => void; name?: string; disabled?: boolean }) {
  return (
    <label>{p.label}
      <select name={p.name} value={p.value} disabled={p.disabled} onChange={(e) => p.onChange(e.currentTarget.value)}>
        {choices(p.operation, p.path).map((v) => <option value={v}>{v}</option>)}
      </select>
    </label>
  );
}
