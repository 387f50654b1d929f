// Package fakeauth is a real [auth.Auth] for tests: the core's lifetime
// rules on an in-memory store, with a clock the test moves, fault injection
// aimed at single store operations, and a log of every store call.
//
// It is never a second implementation of the rules: every decision is
// made by package auth, exactly as in production. [Fake.SeedSession] puts
// a session in a [State] by creating it (and, for the absolute-lifetime
// states, renewing it as a user would, with the core's own renewal) at
// the instants the state needs, found with the core's own
// [auth.Auth.NewSessionExpiries]:
// the boundary states of the active and idle periods and of the absolute
// lifetime sit exactly on, or one nanosecond either side of, their end;
// the browser-session states follow the policy chosen without "remember
// me".
package fakeauth
