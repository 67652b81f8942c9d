import { useState } from 'preact/hooks';
import { describeError, wardenGet, type Session } from '../api';

/** Sign-in: an access key and secret (default test/test) and a region; checked with a signed request. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [accessKeyId, setKey] = useState('test');
  const [secretAccessKey, setSecret] = useState('test');
  const [region, setRegion] = useState('us-east-1');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const creds = { accessKeyId: accessKeyId.trim(), secretAccessKey, region: region.trim() };
      const id = await wardenGet<{ accountId: string; region: string }>('/_warden/identity', creds);
      onSignedIn({ ...creds, accountId: id.accountId });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Sign in to Warden</h1>
      <p>
        The console signs every request with AWS Signature Version 4, as the AWS CLI and SDKs do. A new Warden has one
        credential: access key <code>test</code>, secret <code>test</code> (account 000000000000). The credential is kept
        in this tab only (session storage).
      </p>
      <form onSubmit={submit}>
        <label>Access key ID<input name="accessKeyId" value={accessKeyId} onInput={(e) => setKey(e.currentTarget.value)} required autocomplete="username" /></label>
        <label>Secret access key<input name="secretAccessKey" type="password" value={secretAccessKey} onInput={(e) => setSecret(e.currentTarget.value)} required autocomplete="current-password" /></label>
        <label>Region<input name="region" value={region} onInput={(e) => setRegion(e.currentTarget.value)} required pattern="[a-z0-9\-]+" /></label>
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </main>
  );
}
