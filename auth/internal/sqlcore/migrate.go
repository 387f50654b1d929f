package sqlcore

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migrations are SQL files named NNNN_description.sql, in
// migrations/<dialect>/store (authkit's users, keys and sessions) and
// migrations/<dialect>/sessions (sessions for an app's users table). They
// are applied in version order, each once, and never edited after
// release: a change is a new file. A line "{{include NAME}}" in a
// migration stands for the file migrations/<dialect>/shared/NAME, which
// holds the SQL of tables that both modes create.
//
//go:embed migrations
var migrationFiles embed.FS

// Migration is one schema version.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// SchemaVersion is the version the migrations of the mode lead to.
func (c *Core) SchemaVersion() int64 {
	ms, err := c.Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// MigrationsTable is the table that records the applied versions:
// auth_schema_migrations for authkit's users, auth_sessions_migrations
// for an app's (so that the two modes never mistake each other's
// versions), with the schema prefix.
func (c *Core) MigrationsTable() string {
	name := "auth_schema_migrations"
	if c.cfg.Users != nil {
		name = "auth_sessions_migrations"
	}
	if c.cfg.Schema != "" {
		s, _ := Quote(c.cfg.Schema, false) // validated by New
		return s + "." + name
	}
	return name
}

// Migrations returns the migrations of the store's dialect and mode, in
// version order, with the names filled in.
func (c *Core) Migrations() ([]Migration, error) {
	dialect, mode := "sqlite", "store"
	if c.cfg.Postgres {
		dialect = "postgres"
	}
	prefix, users, idcol, idtype := "", "", "", "text"
	if c.cfg.Schema != "" {
		s, _ := Quote(c.cfg.Schema, false)
		prefix = s + "."
	}
	if u := c.cfg.Users; u != nil {
		mode = "sessions"
		users, _ = Quote(u.Table, c.cfg.Postgres)
		idcol, _ = Quote(u.IDColumn, false)
		idtype = idTypes[strings.ToLower(u.IDType)]
	}
	r := strings.NewReplacer("{{schema}}", prefix, "{{users}}", users, "{{idcol}}", idcol, "{{idtype}}", idtype)
	dir := path.Join("migrations", dialect, mode)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: read migrations: %w", c.cfg.Name, err)
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("%s: migration %s: name is not NNNN_description.sql", c.cfg.Name, e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%s: read migration %s: %w", c.cfg.Name, e.Name(), err)
		}
		text, err := includeShared(migrationFiles, path.Join("migrations", dialect, "shared"), string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: migration %s: %w", c.cfg.Name, e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: r.Replace(text)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	return out, nil
}

// includeShared returns text with each line "{{include NAME}}" replaced by
// the file NAME of the folder dir in fsys. Included files are not
// themselves searched for includes.
func includeShared(fsys fs.FS, dir, text string) (string, error) {
	var b strings.Builder
	for line := range strings.Lines(text) {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), "{{include ")
		if !ok {
			b.WriteString(line)
			continue
		}
		name, ok = strings.CutSuffix(name, "}}")
		if !ok || !fs.ValidPath(name) || strings.Contains(name, "/") {
			return "", fmt.Errorf("include %q: not a file name", strings.TrimSpace(line))
		}
		shared, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("include %s: %w", name, err)
		}
		b.Write(shared)
		if len(shared) > 0 && shared[len(shared)-1] != '\n' && strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// Migrate applies, on q (a transaction that the caller holds a lock in),
// the migrations up to upTo (0 = all) that the migrations table does not
// list. Versions in the table that this package does not know (written by
// a newer authkit) are left alone.
func (c *Core) Migrate(ctx context.Context, q Querier, upTo int64) error {
	ms, err := c.Migrations()
	if err != nil {
		return err
	}
	table := c.MigrationsTable()
	if _, err := q.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+table+" (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"); err != nil {
		return fmt.Errorf("%s: migrate: create %s: %w", c.cfg.Name, table, err)
	}
	applied := map[int64]bool{}
	err = q.Query(ctx, "SELECT version FROM "+table, func(r Row) error {
		var v int64
		if err := r.Scan(&v); err != nil {
			return err
		}
		applied[v] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: migrate: read versions: %w", c.cfg.Name, err)
	}
	record := "INSERT INTO " + table + " (version, name, applied_at) VALUES (?, ?, ?)"
	if c.cfg.Postgres {
		record = numberPlaceholders(record)
	}
	for _, m := range ms {
		if applied[m.Version] || (upTo > 0 && m.Version > upTo) {
			continue
		}
		// No arguments: pgx sends it with the simple protocol, which
		// allows several statements, as SQLite's driver does.
		if _, err := q.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: migrate: %s: %w", c.cfg.Name, m.Name, err)
		}
		if _, err := q.Exec(ctx, record, m.Version, m.Name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("%s: migrate: record %s: %w", c.cfg.Name, m.Name, err)
		}
	}
	return nil
}
