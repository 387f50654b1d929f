// authkit's Playwright helper: drives the control routes of package authe2e
// (github.com/authkit-dev/authkit/authe2e) that an app mounts in its
// end-to-end build only. No dependencies: it uses Node's fetch, and takes
// Playwright's own BrowserContext and Page objects from the caller, so it
// works with playwright-core and with @playwright/test alike.
//
//   import { Authkit, authkitFixtures } from './authkit.mjs';
//
//   const authkit = new Authkit({ baseURL: 'http://127.0.0.1:8080', secret: process.env.AUTHKIT_E2E_SECRET });
//   await authkit.signedInAs(context, 'ada@example.com');   // the context now holds ada's session cookie
//   await authkit.advanceServerClock('25h');                 // the server's clock, not only the browser's
//   const mail = await authkit.lastEmail('ada@example.com'); // { subject, text, link, code, token, ... }
//   await authkit.failStore('GetSession');                   // every GetSession fails until clearFaults()
//
// With @playwright/test:
//
//   import { test as base } from '@playwright/test';
//   export const test = base.extend(authkitFixtures({ baseURL, secret }));
//   test('account page', async ({ page, signedInAs }) => { await signedInAs('ada@example.com'); ... });

/** The path the control routes live under unless the app chose another. */
export const DEFAULT_PREFIX = '/_authkit/e2e/';

/** A client of an app's authe2e control routes. */
export class Authkit {
  /**
   * @param {{ baseURL: string, secret: string, prefix?: string }} options
   *   baseURL: where the app is served; secret: the app's authe2e.Config.Secret;
   *   prefix: authe2e.Config.Prefix (DEFAULT_PREFIX by default).
   */
  constructor({ baseURL, secret, prefix = DEFAULT_PREFIX }) {
    if (!baseURL) throw new Error('authkit: baseURL is required');
    if (!secret) throw new Error('authkit: secret is required (the app\'s authe2e.Config.Secret)');
    this.baseURL = baseURL.replace(/\/+$/, '');
    this.secret = secret;
    this.prefix = prefix;
  }

  /** Sends one control request and returns its JSON answer; throws on any status but 200. */
  async control(method, route, body) {
    const res = await fetch(this.baseURL + this.prefix + route, {
      method,
      headers: { authorization: 'Bearer ' + this.secret, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) {
      throw new Error(`authkit: ${method} ${this.prefix}${route}: ${res.status} ${text}`);
    }
    return JSON.parse(text);
  }

  /**
   * Creates (or finds) the app's user named user and a signed-in session,
   * and returns { userID, sessionID, storageState, cookies }: storageState
   * in Playwright's shape, cookies for Cypress's cy.setCookie.
   */
  async session(user, { browserSession = false } = {}) {
    return this.control('POST', 'session', { user, browserSession });
  }

  /** Signs user in, in the browser context: its cookies now carry the session. */
  async signedInAs(context, user, options) {
    const s = await this.session(user, options);
    await context.addCookies(s.storageState.cookies);
    return s;
  }

  /**
   * Moves the server's clock by d (a Go duration: '25h', '15m', '-1s').
   * With { page }, the browser's clock (page.clock) is set to the server's
   * new time too, so that pages that show times agree.
   */
  async advanceServerClock(d, { page } = {}) {
    const c = await this.control('POST', 'clock', { advance: d });
    if (page) await page.clock.setSystemTime(new Date(c.now));
    return new Date(c.now);
  }

  /** Sets the server's clock to t (a Date or an RFC 3339 string). */
  async setServerClock(t, { page } = {}) {
    const c = await this.control('POST', 'clock', { set: new Date(t).toISOString() });
    if (page) await page.clock.setSystemTime(new Date(c.now));
    return new Date(c.now);
  }

  /** The server's time. */
  async serverNow() {
    return new Date((await this.control('GET', 'clock')).now);
  }

  /** Every message sent to address (all messages when address is empty), oldest first. */
  async emails(address = '') {
    return (await this.control('GET', 'mail?to=' + encodeURIComponent(address))).messages;
  }

  /** The newest message sent to address: { to, subject, text, html, link, code, token, sentAt }. Throws if none. */
  async lastEmail(address) {
    const all = await this.emails(address);
    if (all.length === 0) throw new Error(`authkit: no email was sent to ${address}`);
    return all[all.length - 1];
  }

  /** Empties the outbox. */
  async clearEmails() {
    return this.control('DELETE', 'mail');
  }

  /** Makes the store operation op fail: the next `times` calls, or every call until clearFaults() (times 0). */
  async failStore(op, { times = 0 } = {}) {
    return this.control('POST', 'faults', { op, times });
  }

  /** Clears every armed store fault. */
  async clearFaults() {
    return this.control('DELETE', 'faults');
  }

  /** Puts the clock back on real time, clears faults and the outbox, and empties the app's data if it said how. */
  async reset() {
    return this.control('POST', 'reset', {});
  }
}

/**
 * Fixtures for @playwright/test's test.extend: authkit (the client),
 * signedInAs(user), advanceServerClock(d, { withBrowserClock }),
 * lastEmail(address) and failStore(op). Each test starts from a reset.
 */
export function authkitFixtures(options) {
  return {
    authkit: async ({}, use) => {
      const a = new Authkit(options);
      await a.reset();
      await use(a);
    },
    signedInAs: async ({ authkit, context }, use) => {
      await use((user, o) => authkit.signedInAs(context, user, o));
    },
    advanceServerClock: async ({ authkit, page }, use) => {
      await use((d, { withBrowserClock = false } = {}) => authkit.advanceServerClock(d, withBrowserClock ? { page } : {}));
    },
    lastEmail: async ({ authkit }, use) => {
      await use((address) => authkit.lastEmail(address));
    },
    failStore: async ({ authkit }, use) => {
      await use((op, o) => authkit.failStore(op, o));
    },
  };
}
