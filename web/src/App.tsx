import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, clearToken, getActor, getToken, setActor, setToken, UNAUTHORIZED_EVENT } from './api';
import { useRoute } from './router';
import { Overview } from './pages/Overview';
import { Alerts } from './pages/Alerts';
import { AlertView } from './pages/AlertView';
import { Campaigns } from './pages/Campaigns';
import { CampaignView } from './pages/CampaignView';
import { Cases } from './pages/Cases';
import { CaseView } from './pages/CaseView';
import { Notifications } from './pages/Notifications';
import { Phishing } from './pages/Phishing';

const NAV: [string, string][] = [
  ['overview', 'Overview'],
  ['alerts', 'Alerts'],
  ['campaigns', 'Campaigns'],
  ['cases', 'Cases'],
  ['notifications', 'Notifications'],
  ['phishing', 'Phishing'],
];

export function App() {
  const [token, setTok] = useState(getToken());
  const route = useRoute();
  const signOut = () => {
    clearToken();
    setTok(null);
  };
  useEffect(() => {
    window.addEventListener(UNAUTHORIZED_EVENT, signOut);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, signOut);
  }, []);
  if (!token) return <TokenGate onToken={setTok} />;
  const [page = 'overview', id] = route.parts;
  return (
    <div className="layout">
      <nav className="side">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="22" height="22" /> kabuguard
        </div>
        {NAV.map(([k, name]) => (
          <a key={k} href={`#/${k}`} className={page === k ? 'active' : ''}>
            {name}
          </a>
        ))}
        <div className="side-foot">
          <ActorField />
          <button className="link" onClick={signOut}>
            forget token
          </button>
        </div>
      </nav>
      <main className="content">
        <Page page={page} id={id} params={route.params} />
      </main>
    </div>
  );
}

function Page({ page, id, params }: { page: string; id?: string; params: URLSearchParams }) {
  switch (page) {
    case 'alerts':
      return id ? <AlertView id={id} /> : <Alerts params={params} />;
    case 'campaigns':
      return id ? <CampaignView id={id} /> : <Campaigns />;
    case 'cases':
      return id ? <CaseView id={id} /> : <Cases params={params} />;
    case 'notifications':
      return <Notifications params={params} />;
    case 'phishing':
      return <Phishing />;
    default:
      return <Overview />;
  }
}

/** The name recorded as the actor of case actions. */
function ActorField() {
  const [v, setV] = useState(getActor());
  return (
    <label className="actor">
      acting as
      <input
        value={v}
        placeholder="your name"
        aria-label="acting as"
        onChange={(e) => {
          setV(e.target.value);
          setActor(e.target.value.trim());
        }}
      />
    </label>
  );
}

function TokenGate({ onToken }: { onToken: (t: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = value.trim();
    try {
      await api('/v1/summary', { token: t });
      setToken(t);
      onToken(t);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <div className="gate">
      <form onSubmit={submit}>
        <h1>
          <img src="/favicon.svg" alt="" width="28" height="28" /> kabuguard console
        </h1>
        <p>
          Paste the API token of this kabuguard service: the value of <code>KABUGUARD_TOKEN</code>, the <code>--token-file</code>, or the token{' '}
          <code>kabuguard serve</code> generated at first start (saved in <code>&lt;db&gt;.token</code>). It is kept for this tab only.
        </p>
        <input type="password" autoFocus value={value} onChange={(e) => setValue(e.target.value)} aria-label="API token" placeholder="API token" />
        <button type="submit" disabled={!value.trim()}>
          Connect
        </button>
        {error ? <p className="error">{error}</p> : null}
      </form>
    </div>
  );
}
