// The end-to-end scenarios of examples/formapp, in a real Chromium driven by
// playwright-core, through authkit's Playwright helper. Started by the Go
// test TestPlaywright (cmd/formapp), which builds the app twice (with and
// without -tags authkit_e2e), serves both on loopback and passes:
//
//   E2E_URL      the app built with -tags authkit_e2e
//   DEFAULT_URL  the same app, default build
//   AUTHKIT_E2E_SECRET, CHROMIUM (the browser's path)
//
// It prints one JSON line per scenario ({"name", "ok", "ms", "error"?}) and a
// last line {"timing": {...}}, and exits 1 if any scenario failed.
import { chromium } from 'playwright-core';
import { Authkit } from '../../../../authe2e/playwright/authkit.mjs';

const base = process.env.E2E_URL;
const defaultBase = process.env.DEFAULT_URL;
const authkit = new Authkit({ baseURL: base, secret: process.env.AUTHKIT_E2E_SECRET });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function sessionCookie(context) {
  const all = await context.cookies(base);
  return all.find((c) => c.name === 'auth_session');
}

// Each scenario gets a fresh browser context and a fresh server state.
const scenarios = {
  async 'a seeded session sees the protected page'(context, page) {
    await authkit.signedInAs(context, 'ada');
    const res = await page.goto(base + '/account');
    check(res.status() === 200, `status ${res.status()}`);
    check(page.url() === base + '/account', `landed on ${page.url()}`);
    check((await page.textContent('body')).includes('Signed in as ada'), 'no "Signed in as ada"');
  },

  async 'past the active period the session is renewed: the cookie changes'(context, page) {
    await authkit.signedInAs(context, 'ada');
    await page.goto(base + '/account');
    const before = await sessionCookie(context);
    const quiet = await page.goto(base + '/account');
    check(!((await quiet.headerValue('set-cookie')) || '').includes('auth_session='), 'an active session had its cookie re-issued');
    await authkit.advanceServerClock('25h', { page });
    const res = await page.goto(base + '/account');
    check(res.status() === 200, `status ${res.status()}`);
    // Renewal in place: the same token, the cookie issued again with a new
    // lifetime (Max-Age counts from the browser's own clock, so the jar's
    // expiry moves little; the response is what shows the renewal).
    const setCookie = (await res.headerValue('set-cookie')) || '';
    check(setCookie.includes('auth_session=' + before.value), `the renewal did not re-issue the cookie: Set-Cookie ${JSON.stringify(setCookie)}`);
    const after = await sessionCookie(context);
    check(after && after.value === before.value, 'the renewed session should keep its token');
    check((await page.textContent('body')).includes('Signed in as ada'), 'signed out by the renewal');
  },

  async 'past the idle period the browser lands on the sign-in page'(context, page) {
    await authkit.signedInAs(context, 'ada');
    await page.goto(base + '/account');
    await authkit.advanceServerClock(`${24 + 14 * 24 + 1}h`);
    await page.goto(base + '/account');
    check(new URL(page.url()).pathname === '/login', `landed on ${page.url()}`);
    check(await page.isVisible('input[name=password]'), 'no sign-in form');
  },

  async 'a store fault shows the 503 page and the session survives it'(context, page) {
    await authkit.signedInAs(context, 'ada');
    await page.goto(base + '/account');
    const before = await sessionCookie(context);
    // The account page reads the session with its user, in one store call
    // where the store can (GetSessionAndUser): fail both ways in.
    await authkit.failStore('GetSession');
    await authkit.failStore('GetSessionAndUser');
    const res = await page.goto(base + '/account');
    check(res.status() === 503, `status ${res.status()} during the fault`);
    check((await page.textContent('body')).includes('unavailable'), 'no "unavailable" page');
    await authkit.clearFaults();
    const again = await page.goto(base + '/account');
    check(again.status() === 200, `status ${again.status()} after the fault`);
    check((await page.textContent('body')).includes('Signed in as ada'), 'signed out by the fault');
    const after = await sessionCookie(context);
    check(after && after.value === before.value, 'the cookie changed across the fault');
  },

  async 'a password reset completed from the emailed link'(context, page) {
    await page.goto(base + '/');
    await page.fill('#email-sign-in input[name=email]', 'ada@example.com');
    await page.fill('#email-sign-in input[name=password]', 'first password');
    const signUp = await Promise.all([page.waitForNavigation(), page.click('#email-sign-in button[formaction="/sign-up"]')]);
    check(signUp[0].status() === 201, `sign-up: status ${signUp[0].status()}`);
    check((await authkit.lastEmail('ada@example.com')).link.includes('/verify-email?token='), 'no verification mail after sign-up');

    await page.goto(base + '/');
    await page.fill('#forgot input[name=email]', 'ada@example.com');
    const asked = await Promise.all([page.waitForNavigation(), page.click('#forgot button')]);
    check(asked[0].status() === 202, `reset request: status ${asked[0].status()}`);
    const mail = await authkit.lastEmail('ada@example.com');
    check(mail.link.startsWith(base + '/reset-password?token='), `reset mail link ${mail.link}`);

    await page.goto(mail.link);
    await page.fill('input[name=password]', 'second password');
    const done = await Promise.all([page.waitForNavigation(), page.click('button:has-text("Change password")')]);
    check(new URL(page.url()).pathname === '/login', `after the reset: ${page.url()}, status ${done[0].status()}: ${await page.textContent('body')}`);

    for (const [password, ok] of [['first password', false], ['second password', true]]) {
      await page.goto(base + '/');
      await page.fill('#email-sign-in input[name=email]', 'ada@example.com');
      await page.fill('#email-sign-in input[name=password]', password);
      const res = await Promise.all([page.waitForNavigation(), page.click('#email-sign-in button:has-text("Sign in")')]);
      const signedIn = (await page.textContent('body')).includes('Signed in as ada@example.com');
      check(signedIn === ok, `${password}: signed in ${signedIn} (status ${res[0].status()}), want ${ok}`);
    }
    // The link was single-use.
    const again = await page.goto(mail.link);
    await page.fill('input[name=password]', 'third password');
    const reused = await Promise.all([page.waitForNavigation(), page.click('button:has-text("Change password")')]);
    check(reused[0].status() === 400, `reusing the link: status ${reused[0].status()}`);
  },

  async 'the control routes answer 404 in the default build'(context, page) {
    for (const [method, route] of [['POST', 'session'], ['GET', 'clock'], ['POST', 'clock'], ['GET', 'mail'], ['POST', 'faults'], ['POST', 'reset']]) {
      const res = await fetch(defaultBase + '/_authkit/e2e/' + route, {
        method, headers: { authorization: 'Bearer ' + process.env.AUTHKIT_E2E_SECRET, 'content-type': 'application/json' },
        body: method === 'POST' ? '{"user":"ada","advance":"1h"}' : undefined,
      });
      check(res.status === 404, `${method} ${route}: ${res.status} from the default build`);
    }
    const home = await page.goto(defaultBase + '/');
    check(home.status() === 200, 'the default build does not serve the app');
  },
};

let failed = 0;
for (const [name, run] of Object.entries(scenarios)) {
  await authkit.reset();
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = performance.now();
  try {
    await run(context, page);
    console.log(JSON.stringify({ name, ok: true, ms: Math.round(performance.now() - start) }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ name, ok: false, ms: Math.round(performance.now() - start), error: String(e && e.stack || e) }));
  } finally {
    await context.close();
  }
}

// Timing: one "test" that needs a signed-in user, started through the
// seeded session and through the sign-in form, interleaved, median of N.
async function signUpThroughForm(name, password) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(base + '/account'), page.click('button[formaction="/signup"]')]);
  await context.close();
}
async function seededRun() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = performance.now(); // the browser is ready: time the sign-in and the first page
  await authkit.signedInAs(context, 'grace');
  const signedIn = performance.now() - start;
  await page.goto(base + '/account');
  check((await page.textContent('body')).includes('Signed in as grace'), 'seeded: not signed in');
  const ms = performance.now() - start;
  await context.close();
  return { signIn: signedIn, test: ms };
}
async function formRun() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = performance.now();
  await page.goto(base + '/login');
  await page.fill('input[name=username]', 'hopper');
  await page.fill('input[name=password]', 'correct horse battery');
  await Promise.all([page.waitForURL(base + '/account'), page.click('button:has-text("Sign in")')]);
  const signedIn = performance.now() - start; // the form lands on the account page
  check((await page.textContent('body')).includes('Signed in as hopper'), 'form: not signed in');
  const ms = performance.now() - start;
  await context.close();
  return { signIn: signedIn, test: ms };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  await authkit.reset();
  await signUpThroughForm('hopper', 'correct horse battery');
  await seededRun(); // warm both paths once
  await formRun();
  const seeded = [], form = [];
  for (let i = 0; i < 9; i++) {
    seeded.push(await seededRun());
    form.push(await formRun());
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  console.log(JSON.stringify({ timing: {
    rounds: 9,
    seededSignInMs: m(seeded, 'signIn'), formSignInMs: m(form, 'signIn'), signInRatio: m(form, 'signIn') / m(seeded, 'signIn'),
    seededTestMs: m(seeded, 'test'), formTestMs: m(form, 'test'), testRatio: m(form, 'test') / m(seeded, 'test'),
  } }));
} catch (e) {
  failed++;
  console.log(JSON.stringify({ name: 'timing', ok: false, error: String(e && e.stack || e) }));
}

await browser.close();
process.exit(failed ? 1 : 0);
