//go:build authkit_e2e

package authe2e

// compiledIn is true in a binary built with -tags authkit_e2e: the first of
// the two locks (see the package doc).
const compiledIn = true
