package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteThenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "writes.json")
	want := []Writes{{Backend: "memory", Lib: "authkit", ServerStore: true, ClockMoved: true, Renewal: Counts{Reads: 1000, Writes: 1}}}
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	var got []Writes
	if err := Read(path, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}

func TestReadNamesTheFileOfBadJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paired.json")
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	var rows []Paired
	if err := Read(path, &rows); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Read(bad JSON) = %v, want an error naming %s", err, path)
	}
}
