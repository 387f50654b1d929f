// Package enumname names the values of the module's small enumerations
// (auth.State, authtest.CookieChange, the scenarios' origins and
// effects), so that each String method is one line and an unknown value
// prints as its type and number, as fmt does for an int.
package enumname

import "fmt"

// String returns names[v], or "kind(v)" when v has no name (out of range,
// or an empty entry).
func String[T ~int](v T, kind string, names ...string) string {
	if v >= 0 && int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, int(v))
}
