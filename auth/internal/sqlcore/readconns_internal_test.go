package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// openReadConnsDB returns a StdDB on a new SQLite file with n read
// connections, and its *sql.DB.
func openReadConnsDB(t *testing.T, n int) (*StdDB, *sql.DB) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "reads.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := NewStdDB(db, true, true)
	d.KeepReadConns(n)
	return d, db
}

func scanOne(ctx context.Context, d *StdDB) error {
	var v int
	return d.QueryRow(ctx, "SELECT ?", 1).Scan(&v)
}

func TestReadWaitingForAConnectionEndsWithItsContext(t *testing.T) {
	d, _ := openReadConnsDB(t, 1)
	held, err := d.reads.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := scanOne(ctx, d); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("read while the only read connection is held: err = %v; want one wrapping context.DeadlineExceeded", err)
	}
	d.reads.put(held, nil)
	if err := scanOne(context.Background(), d); err != nil {
		t.Errorf("read once the connection is back: %v", err)
	}
}

func TestReadsUseConnectionsOfTheirOwnThatCloseCloses(t *testing.T) {
	d, db := openReadConnsDB(t, 2)
	for range 10 {
		if err := scanOne(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	// Sequential reads need one connection, held by the set between reads.
	if got := db.Stats().InUse; got != 1 {
		t.Errorf("after sequential reads: %d connections in use; want 1, the set's", got)
	}
	held, err := d.reads.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error)
	go func() {
		_, err := d.reads.get(context.Background()) // opens the second
		if err == nil {
			_, err = d.reads.get(context.Background()) // waits: both are taken
		}
		waiting <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waiting:
		if err == nil {
			t.Error("a read waiting for a connection at Close got one")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a read waiting for a connection at Close still waits")
	}
	d.reads.put(held, nil) // given back after Close: closed
	if got := db.Stats().InUse; got != 1 {
		// The second connection is still with the goroutine that opened it.
		t.Errorf("after Close: %d connections in use; want 1 (the one not given back)", got)
	}
	if err := scanOne(context.Background(), d); err == nil {
		t.Error("read after Close: no error")
	}
}

// TestReadsOnOwnConnectionsGoBelowDatabaseSQL checks that a read on the
// set's connections does not go through a *sql.Stmt: database/sql's path
// allocates a Rows, its context watcher, a Row and the converted
// arguments per query (21 allocations for this query, and DB.mu taken
// twice to record and drop the rows), where the driver's own path needs
// about half as many.
func TestReadsOnOwnConnectionsGoBelowDatabaseSQL(t *testing.T) {
	d, _ := openReadConnsDB(t, 1)
	ctx := context.Background()
	if err := scanOne(ctx, d); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() {
		if err := scanOne(ctx, d); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 14 {
		t.Errorf("a read allocates %.0f times; want at most 14 (through database/sql's statements: 21)", allocs)
	}
}

func TestReadScansAsDatabaseSQLDoes(t *testing.T) {
	d, _ := openReadConnsDB(t, 1)
	ctx := context.Background()
	var (
		s     string
		n     int64
		b     []byte
		blob  []byte
		null  *string
		text  *string
		ns    sql.NullString
		flag  bool
		realv float64
	)
	err := d.QueryRow(ctx, "SELECT 'a', 42, 'bytes', x'0102', NULL, 'set', NULL, 1, 1.5 WHERE ? = 'k'", "k").
		Scan(&s, &n, &b, &blob, &null, &text, &ns, &flag, &realv)
	if err != nil {
		t.Fatal(err)
	}
	if s != "a" || n != 42 || string(b) != "bytes" || string(blob) != "\x01\x02" || null != nil ||
		text == nil || *text != "set" || ns.Valid || !flag || realv != 1.5 {
		t.Errorf("scanned %q %d %q %q %v %v %v %v %v", s, n, b, blob, null, text, ns, flag, realv)
	}
	if err := d.QueryRow(ctx, "SELECT 1 WHERE ? = 'no'", "k").Scan(&n); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no row: err = %v; want sql.ErrNoRows", err)
	}
	if err := d.QueryRow(ctx, "SELECT NULL").Scan(&s); err == nil {
		t.Error("NULL into *string: no error")
	}
	if err := d.QueryRow(ctx, "SELECT 1, 2").Scan(&n); err == nil {
		t.Error("two columns into one destination: no error")
	}
	if err := d.QueryRow(ctx, "SELECT nosuchcolumn").Scan(&n); err == nil {
		t.Error("a query that cannot be prepared: no error")
	}
	// The connection is still usable after the errors.
	if err := scanOne(ctx, d); err != nil {
		t.Errorf("read after errors: %v", err)
	}
}

// Reads that alternate between queries on one read connection each run
// their own statement, into plain and sql.Scanner destinations alike.
func TestReadsAlternatingQueriesOnOneConnectionRunTheirOwn(t *testing.T) {
	d, _ := openReadConnsDB(t, 1)
	ctx := context.Background()
	for i := range 6 {
		query, want := "SELECT ?", int64(i)
		if i%2 == 1 {
			query, want = "SELECT ? * 10", int64(i*10)
		}
		var plain int64
		var scanner sql.NullInt64
		if err := d.QueryRow(ctx, query+", "+query[len("SELECT "):], i, i).Scan(&plain, &scanner); err != nil {
			t.Fatalf("read %d (%s): %v", i, query, err)
		}
		if plain != want || !scanner.Valid || scanner.Int64 != want {
			t.Errorf("read %d (%s): %d, %v; want %d twice", i, query, plain, scanner, want)
		}
	}
}
