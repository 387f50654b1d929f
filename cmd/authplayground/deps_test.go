package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLinksNoTestPackage: the playground is an app of the library, not of
// its test kit: its default build (without the "lab" tag) links no test
// package, neither the standard library's testing nor testify, goquery,
// cascadia or go-cmp.
func TestLinksNoTestPackage(t *testing.T) {
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "testing", strings.HasPrefix(pkg, "testing/"),
			strings.HasPrefix(pkg, "github.com/stretchr/testify"),
			strings.HasPrefix(pkg, "github.com/PuerkitoBio/goquery"),
			strings.HasPrefix(pkg, "github.com/andybalholm/cascadia"),
			strings.HasPrefix(pkg, "github.com/google/go-cmp"),
			strings.HasPrefix(pkg, "github.com/authkit-dev/authkit/authtest"),
			strings.HasPrefix(pkg, "github.com/authkit-dev/authkit/scenarios"):
			t.Errorf("the playground links %s", pkg)
		}
	}
}
