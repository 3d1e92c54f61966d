import type { ApiError } from '../api';
import { label } from '../format';

export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div className="error" role="alert">
      <b>{error.code}</b>: {error.message}
      {error.field ? <> (field <code>{error.field}</code>)</> : null}
    </div>
  );
}

export function Severity({ s, score }: { s: string; score?: number }) {
  return (
    <span className={`badge sev-${s}`}>
      {s}
      {score !== undefined ? ` ${score.toFixed(2)}` : ''}
    </span>
  );
}

export function Decision({ d }: { d: string }) {
  return <span className={`badge dec-${d}`}>{label(d)}</span>;
}

export function Status({ s }: { s: string }) {
  return <span className={`badge st-${s}`}>{label(s)}</span>;
}
