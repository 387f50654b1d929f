// provider.mjs runs node-oidc-provider (npm "oidc-provider", OpenID
// Certified) for the Go package internal/certifiedoidc. The Go side starts
// it with `node provider.mjs`, writes one line of JSON configuration on
// stdin and keeps stdin open; the script answers with one line of JSON on
// stdout, {"issuer": "http://127.0.0.1:PORT", "port": PORT}, and exits
// when stdin closes (so a killed test binary leaves no provider behind).
// Everything else it prints goes to stderr.
//
// The provider keeps its defaults wherever the harness allows: the
// default claims behaviour (conformIdTokenClaims: with the code flow,
// scope-requested claims such as email and name are only in userinfo),
// default TTLs, PKCE as the provider supports it (S256, required only for
// public clients), RFC 9207 `iss` in authorization responses (always on in
// this version), RP-initiated logout with its confirmation form, the
// in-memory adapter, and refresh tokens only for offline_access (which the
// provider grants only with prompt=consent, OpenID Core §11). Only these
// change: devInteractions is off (the harness answers interactions
// itself), revocation (RFC 7009) is on, and accounts, clients, claims and
// keys come from the configuration.
//
// Configuration (stdin, one line):
//
//	{"users":   [{"subject": "alice", "claims": {"email": "...", "email_verified": true, "name": "Alice"}}],
//	 "clients": [{"id": "app", "secret": "s", "redirect_uris": ["..."], "post_logout_redirect_uris": ["..."]}]}
//
// # Time
//
// The Go tests run on a fake clock that may be years away from real time.
// A request may carry `X-Authkit-Now: <unix milliseconds>`; from then on
// Date.now() and `new Date()` (which oidc-provider's epoch helper, its
// in-memory adapter, its cookies and jose all read) return that instant
// plus the real time elapsed since. A request without the header keeps the
// last offset. The offset is process-wide, which is fine because one
// provider process serves one test, which drives it sequentially.
//
// # Interactions
//
// There is no login or consent page. GET /interaction/:uid completes the
// interaction the way fakeoidc's SetLogin does:
//   - a deny armed by /__control/deny-next ends it (once) with
//     access_denied;
//   - the login prompt logs in as the user a login_hint names, if it names
//     a known one, else as the subject set by /__control/login; with
//     neither, the interaction route answers 200 with a page saying so, as
//     a provider's login page would wait for a person (the Go browser then
//     reports that it stopped at a page);
//   - the consent prompt grants what is missing: the requested OpenID
//     scopes and claims, and any resource scopes.
//
// prompt=none without a provider session never reaches this route: the
// provider answers login_required itself.
//
// # Control routes (loopback only, POST, JSON)
//
//	/__control/login       {"subject": "alice"} approve as this user; "" to stop approving
//	/__control/deny-next   the next interaction ends in access_denied
//	/__control/rotate-key  new RS256 and ES256 keys sign; the previous ones stay published

import { createServer } from 'node:http';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';

// ---- Time: patched before oidc-provider (and jose) are imported.

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
let offsetMs = 0;
const now = () => realNow() + offsetMs;

globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget);
  },
  apply() {
    // Date() called as a function returns the current time as a string.
    return new RealDate(now()).toString();
  },
  get(target, prop, receiver) {
    if (prop === 'now') return now;
    return Reflect.get(target, prop, receiver);
  },
});

// ---- Keys, RS256 and ES256. The first pair is generated in the thread
// pool while oidc-provider loads.

async function newKey(type) {
  const opts = type === 'rsa' ? { modulusLength: 2048 } : { namedCurve: 'P-256' };
  const { privateKey } = await promisify(generateKeyPair)(type, opts);
  const jwk = privateKey.export({ format: 'jwk' });
  jwk.kid = randomBytes(12).toString('base64url');
  jwk.use = 'sig';
  jwk.alg = type === 'rsa' ? 'RS256' : 'ES256';
  return jwk;
}

function newKeyPair() {
  return Promise.all([newKey('rsa'), newKey('ec')]);
}

const firstKeys = newKeyPair();

// oidc-provider prints notices with console.info; stdout is reserved for
// the one ready line.
console.log = console.error;
console.info = console.error;

const { default: Provider, errors } = await import('oidc-provider');
// The provider's own in-memory adapter, made once: oidc-provider 9 gives
// each Provider instance a store of its own, so the instance built when
// the keys rotate must be handed this one to keep sessions, grants, codes
// and tokens. The package has no "exports" map; these are its own files.
const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
const { defaults } = await import('oidc-provider/lib/helpers/defaults.js');
const adapter = createMemoryAdapter(defaults.clockTolerance);

// ---- Configuration from stdin.

const stdin = createInterface({ input: process.stdin });
const firstLine = await new Promise((resolve, reject) => {
  stdin.once('line', resolve);
  stdin.once('close', () => reject(new Error('stdin closed before the configuration line')));
});
const config = JSON.parse(firstLine);
// Closing stdin (the Go side exiting or killing us) ends the provider.
stdin.on('close', () => process.exit(0));

const users = new Map();
for (const u of config.users ?? []) {
  if (typeof u.subject !== 'string' || u.subject === '') {
    throw new Error(`a user without a subject: ${JSON.stringify(u)}`);
  }
  users.set(u.subject, { ...(u.claims ?? {}), sub: u.subject });
}

const clients = (config.clients ?? []).map((c) => ({
  client_id: c.id,
  client_secret: c.secret,
  redirect_uris: c.redirect_uris ?? [],
  post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
}));

// signing holds the current keys, which sign (the first key of an
// algorithm signs), and previous the ones before, which stay published (as
// fakeoidc publishes the current and the previous key).
let signing = await firstKeys;
let previous = [];

// ---- The provider; rebuilt on the same adapter when the keys rotate.

const cookieKeys = [randomBytes(32).toString('base64url')];

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    adapter,
    clients,
    jwks: { keys: [...signing, ...previous] },
    cookies: { keys: cookieKeys },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'family_name', 'given_name', 'preferred_username', 'picture', 'locale', 'updated_at'],
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
    },
    async findAccount(ctx, sub) {
      const claims = users.get(sub);
      if (!claims) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { ...claims };
        },
      };
    },
  });
  for (const event of [
    'server_error', 'authorization.error', 'grant.error', 'end_session.error', 'userinfo.error',
    'revocation.error', 'discovery.error', 'jwks.error', 'check_session_origin.error',
  ]) {
    provider.on(event, (ctx, err) => {
      console.error(`oidc-provider ${event}: ${ctx?.method ?? ''} ${ctx?.path ?? ''}: ${err?.name ?? ''} ${err?.message ?? err}${err?.error_description ? ` (${err.error_description})` : ''}`);
    });
  }
  return provider;
}

// ---- Interactions.

let loginSubject = '';
let denyNext = false;

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;

  if (denyNext) {
    denyNext = false;
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'the test denied this request (DenyNext)',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'login') {
    const hint = typeof params.login_hint === 'string' && users.has(params.login_hint) ? params.login_hint : '';
    const accountId = hint || loginSubject;
    if (!accountId) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><title>Sign in</title><p>certifiedoidc: no test user is set (SetLogin), so this login page waits for a person.</p>');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'consent') {
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const saved = await grant.save();
    await provider.interactionFinished(req, res, { consent: grantId ? {} : { grantId: saved } }, { mergeWithLastSubmission: true });
    return;
  }

  throw new Error(`unexpected prompt ${prompt.name}`);
}

// ---- Control routes.

async function readJSON(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body === '' ? {} : JSON.parse(body);
}

function reply(res, status, value) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function control(req, res, name) {
  if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
  const body = await readJSON(req);
  switch (name) {
    case 'login': {
      const subject = body.subject ?? '';
      if (subject !== '' && !users.has(subject)) return reply(res, 400, { error: `unknown user ${JSON.stringify(subject)}` });
      loginSubject = subject;
      return reply(res, 200, { subject });
    }
    case 'deny-next':
      denyNext = true;
      return reply(res, 200, {});
    case 'rotate-key': {
      const next = await newKeyPair();
      previous = signing;
      signing = next;
      current = buildProvider(issuer);
      handler = current.callback();
      return reply(res, 200, { kids: signing.map((k) => k.kid) });
    }
    default:
      return reply(res, 404, { error: `no control route ${name}` });
  }
}

// ---- The server.

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
let issuer;
let current;
let handler;

const server = createServer(async (req, res) => {
  try {
    const stamp = req.headers['x-authkit-now'];
    if (stamp !== undefined) {
      const ms = Number(stamp);
      if (!Number.isSafeInteger(ms)) return reply(res, 400, { error: `X-Authkit-Now ${JSON.stringify(stamp)} is not unix milliseconds` });
      offsetMs = ms - realNow();
    }
    const path = new URL(req.url, issuer).pathname;
    if (path.startsWith('/__control/')) {
      if (!loopback.has(req.socket.remoteAddress)) return reply(res, 403, { error: 'loopback only' });
      return await control(req, res, path.slice('/__control/'.length));
    }
    if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(path)) {
      return await interaction(current, req, res);
    }
    return handler(req, res);
  } catch (err) {
    console.error(`certifiedoidc: ${req.method} ${req.url}: ${err?.stack ?? err}`);
    if (!res.headersSent) {
      const status = err instanceof errors.OIDCProviderError ? err.statusCode : 500;
      reply(res, status, { error: err?.error ?? 'server_error', error_description: err?.error_description ?? String(err?.message ?? err) });
    } else {
      res.end();
    }
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}`;
  current = buildProvider(issuer);
  handler = current.callback();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});
