import { render } from 'preact';
import { useState } from 'preact/hooks';
import { loadSession, saveSession, type Session } from './api';
import { href, useRoute } from './router';
import { SignIn } from './pages/signin';
import { Dashboard } from './pages/dashboard';
import { AuditPage } from './pages/audit';
import { FindingsPage } from './pages/findings';
import { MitigationPage, MitigationTaskPage } from './pages/mitigation';
import { DetectPage, DetectTaskPage } from './pages/detect';
import { CertificatePage, PolicyPage, RegistryPage, ThingGroupPage, ThingPage } from './pages/registry';
import './styles.css';

const NAV: [string, string][] = [
  ['/', 'Dashboard'],
  ['/audit', 'Audit'],
  ['/mitigation', 'Mitigation'],
  ['/detect', 'Detect'],
  ['/registry', 'Registry'],
];

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession());
  const route = useRoute();
  if (!session) {
    return <SignIn onSignedIn={(s) => (saveSession(s), setSession(s))} />;
  }
  const section = '/' + (route.path.split('/')[1] ?? '');
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <strong class="brand">Warden</strong>
        <nav aria-label="Sections">
          {NAV.map(([to, label]) => (
            <a {...href(to)} aria-current={section === to || (to === '/registry' && isRegistry(route.path)) ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <span class="who" aria-label="Signed in as">
          account <code>{session.accountId}</code> · region <code>{session.region}</code> · key <code>{session.accessKeyId}</code>
        </span>
        <button type="button" onClick={() => (saveSession(undefined), setSession(undefined))}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={route.path} query={route.query} />
      </main>
    </>
  );
}

const isRegistry = (p: string) => /^\/(things|certificates|thing-groups|policies|registry)/.test(p);

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
      return <Dashboard />;
    case 'audit':
      if (parts[1] === 'tasks' && parts[2]) return <FindingsPage taskId={parts[2]} query={query} />;
      return <AuditPage />;
    case 'mitigation':
      if (parts[1] === 'tasks' && parts[2]) return <MitigationTaskPage taskId={parts[2]} />;
      return <MitigationPage />;
    case 'detect':
      if (parts[1] === 'tasks' && parts[2]) return <DetectTaskPage taskId={parts[2]} />;
      return <DetectPage query={query} />;
    case 'registry':
      return <RegistryPage />;
    case 'things':
      if (parts[1]) return <ThingPage name={parts[1]} />;
      break;
    case 'certificates':
      if (parts[1]) return <CertificatePage id={parts[1]} />;
      break;
    case 'thing-groups':
      if (parts[1]) return <ThingGroupPage name={parts[1]} />;
      break;
    case 'policies':
      if (parts[1]) return <PolicyPage name={parts[1]} />;
      break;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>The console has no page {path}. <a {...href('/')}>Go to the dashboard</a>.</p>
    </section>
  );
}

render(<App />, document.getElementById('app')!);
