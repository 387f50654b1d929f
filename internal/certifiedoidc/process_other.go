//go:build !unix

package certifiedoidc

import "os/exec"

// newProcessGroup does nothing where there are no Unix process groups.
func newProcessGroup(*exec.Cmd) {}

// killProcessGroup kills cmd's process (the script starts no others).
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
