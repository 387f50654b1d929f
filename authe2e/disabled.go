//go:build !authkit_e2e

package authe2e

// compiledIn is false in a default build: the handler answers 404 to every
// request and changes nothing (see the package doc).
const compiledIn = false
