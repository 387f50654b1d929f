package sqlcore

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Every dialect and mode has its migrations numbered 1, 2, ... without a
// gap, the placeholders of the mode filled in.
func TestMigrations(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		for _, users := range []*UsersTable{nil, {Table: "users", IDColumn: "id"}} {
			c, err := New(nil, Config{Name: "test", Postgres: postgres, Users: users})
			if err != nil {
				t.Fatal(err)
			}
			ms, err := c.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range ms {
				if m.Version != int64(i+1) || strings.Contains(m.SQL, "{{") {
					t.Errorf("postgres %v, app users %v: migration #%d is version %d (%s), placeholders left: %v", postgres, users != nil, i, m.Version, m.Name, strings.Contains(m.SQL, "{{"))
				}
			}
			if v := c.SchemaVersion(); v != int64(len(ms)) || v < 3 {
				t.Errorf("postgres %v, app users %v: SchemaVersion = %d, want %d", postgres, users != nil, v, len(ms))
			}
		}
	}
}

func TestIncludeShared(t *testing.T) {
	fsys := fstest.MapFS{
		"m/shared/tables.sql":   {Data: []byte("CREATE TABLE a (x INTEGER);\n")},
		"m/shared/no_eol.sql":   {Data: []byte("CREATE TABLE b (y INTEGER);")},
		"m/shared/nested.sql":   {Data: []byte("{{include tables.sql}}\n")},
		"m/store/0001_init.sql": {Data: []byte("unused")},
	}
	for _, c := range []struct {
		name, in, want string // want "" for an error
	}{
		{"no include", "-- v1\nCREATE TABLE c (z INTEGER);\n", "-- v1\nCREATE TABLE c (z INTEGER);\n"},
		{"include", "-- v1\n{{include tables.sql}}\nCREATE INDEX i ON a (x);\n", "-- v1\nCREATE TABLE a (x INTEGER);\nCREATE INDEX i ON a (x);\n"},
		{"last line", "-- v1\n{{include tables.sql}}", "-- v1\nCREATE TABLE a (x INTEGER);\n"},
		{"file without final newline", "{{include no_eol.sql}}\n-- end\n", "CREATE TABLE b (y INTEGER);\n-- end\n"},
		{"twice", "{{include tables.sql}}\n{{include no_eol.sql}}\n", "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER);\n"},
		{"not nested", "{{include nested.sql}}\n", "{{include tables.sql}}\n"},
		{"missing file", "{{include gone.sql}}\n", ""},
		{"outside the folder", "{{include ../store/0001_init.sql}}\n", ""},
		{"unclosed", "{{include tables.sql\n", ""},
	} {
		got, err := includeShared(fsys, "m/shared", c.in)
		if c.want == "" && err == nil || c.want != "" && (err != nil || got != c.want) {
			t.Errorf("%s: includeShared(%q) = %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}
