package accountscenarios_test

import (
	"context"
	"fmt"

	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// Run a few cases of the table against the reference app of this
// package's tests; in a test, accountscenarios.Run(t, target,
// accountscenarios.Standard()...) runs them all as subtests.
func Example() {
	target := refTarget(0)
	for _, c := range accountscenarios.Standard() {
		switch c.Name() {
		case "reset-token-reused", "reset-token-at-expiry", "reset-token-at-expiry+1ns", "reset-ends-every-session":
			r := accountscenarios.Execute(context.Background(), target, c)
			fmt.Println(c.Name(), r.Verdict())
		}
	}
	// Output:
	// reset-token-reused passed
	// reset-token-at-expiry passed
	// reset-token-at-expiry+1ns passed
	// reset-ends-every-session passed
}

// Describe says what a case gives, does and expects.
func ExampleCase_Describe() {
	for _, c := range accountscenarios.Standard() {
		if c.Name() == "reset-token-at-expiry+1ns" {
			fmt.Println(c.Describe())
		}
	}
	// Output: given a verified account and the reset-token mailed to it; when the clock is moved to the mail's time + the Target's TTL plus 1ns and the token is presented; then it is refused with 400
}
