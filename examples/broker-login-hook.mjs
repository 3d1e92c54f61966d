// How a broker wires kabuguard into its login flow (Node.js 20+, no dependencies).
//
// After the password (and any legacy OTP) check, and BEFORE the session is handed to the customer,
// send the login event and act on the answer. Start the service first:
//   kabuguard serve --port 8080          (prints the bearer token once; it is kept in kabuguard.db.token)
// then:  KABUGUARD_TOKEN=$(cat kabuguard.db.token) node examples/broker-login-hook.mjs

const KABUGUARD = process.env.KABUGUARD_URL ?? 'http://127.0.0.1:8080';
const TOKEN = process.env.KABUGUARD_TOKEN;

/** Ask kabuguard about one login attempt; fail closed (step up) if it cannot answer in time. */
async function decideLogin(event) {
  try {
    const res = await fetch(`${KABUGUARD}/v1/decisions/login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(200),
    });
    if (res.status === 400) throw new Error(`kabuguard rejected the event: ${(await res.json()).error.message}`);
    if (!res.ok) return { decision: 'step_up', required_auth: 'passkey', reasons: [{ code: 'KABUGUARD_UNAVAILABLE', detail: `HTTP ${res.status}` }] };
    return await res.json();
  } catch (err) {
    if (err.name === 'TimeoutError') return { decision: 'step_up', required_auth: 'passkey', reasons: [{ code: 'KABUGUARD_TIMEOUT', detail: 'no answer in 200 ms' }] };
    throw err;
  }
}

const answer = await decideLogin({
  type: 'login',
  id: `login-${Date.now()}`,
  ts: new Date().toISOString(),
  account_id: 'A0001',
  login_id_fp: 'hmac-of-the-typed-login-id', // keyed hash: kabuguard never needs the login id itself
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  device_id: 'dev-cookie-123',
  channel: 'web',
  outcome: 'success',
  mfa: 'sms',
  session_id: 'sess-abc',
});

switch (answer.decision) {
  case 'allow':
    console.log('hand the session to the customer');
    break;
  case 'step_up':
    console.log(`ask for ${answer.required_auth} (phishing-resistant) before going on; reasons:`, answer.reasons);
    break;
  default:
    console.log(`refuse (${answer.decision}); reasons:`, answer.reasons);
}
