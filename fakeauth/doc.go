// Package fakeauth is a real [auth.Auth] for tests: the core's lifetime
// rules on an in-memory store, with a clock the test moves, fault injection
// aimed at single store operations, and a log of every store call.
//
// It is never a second implementation of the rules: every decision is
// made by package auth, exactly as in production.
package fakeauth
