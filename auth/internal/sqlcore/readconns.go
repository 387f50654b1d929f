package sqlcore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
)

// errReadConnsClosed is returned by a read on a closed StdDB.
var errReadConnsClosed = errors.New("the store is closed")

// readConns is a fixed set of connections that a StdDB keeps for its
// single-row reads (QueryRow), each with its own prepared statements, so
// that a read takes no lock that every read shares. Through the *sql.DB a
// prepared read takes the handle's one mutex (DB.mu) to get a connection
// and again to put it back, and waits there for the other reads: on many
// cores that lock, not SQLite, bounds the reads per second. A connection
// of the set is taken from a buffered channel and given back to it; only
// the holder touches its statements.
//
// The connections are opened when first needed, at most cap(idle) of
// them. database/sql still takes DB.mu twice per query (Stmt.QueryContext
// records the rows as a dependency of the statement), for a map update
// each: short, but shared.
type readConns struct {
	db     *sql.DB
	idle   chan *readConn // capacity: the most connections the set opens
	opened atomic.Int32   // connections open or being opened
	closed atomic.Bool
	done   chan struct{} // closed by close: wakes the reads waiting for a connection
}

// A readConn is one connection of a readConns and its prepared
// statements, by query.
type readConn struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// errUsePool tells a read to go through the handle's pool: the app has
// limited the pool, and the set may not take more of it.
var errUsePool = errors.New("sqlcore: read through the pool")

func newReadConns(db *sql.DB, n int) *readConns {
	return &readConns{db: db, idle: make(chan *readConn, n), done: make(chan struct{})}
}

// get returns a connection of the set: an idle one, a new one while fewer
// than cap(idle) are open, or else the first one given back. It returns
// an error wrapping ctx's if ctx ends first.
func (p *readConns) get(ctx context.Context) (*readConn, error) {
	select {
	case c := <-p.idle:
		return p.checkOpen(c)
	default:
	}
	limit := cap(p.idle)
	if max := p.db.Stats().MaxOpenConnections; max > 0 {
		// The app limited its pool after the store was made: keep at most
		// half of it, so that its own queries and the store's writes
		// always find a connection, and read through the pool otherwise.
		limit = min(limit, max/2)
		if int(p.opened.Load()) >= limit {
			select {
			case c := <-p.idle:
				return p.checkOpen(c)
			default:
				return nil, errUsePool
			}
		}
	}
	for {
		n := p.opened.Load()
		if int(n) >= limit {
			break
		}
		if p.opened.CompareAndSwap(n, n+1) {
			conn, err := p.db.Conn(ctx)
			if err != nil {
				p.opened.Add(-1)
				return nil, err
			}
			return p.checkOpen(&readConn{conn: conn, stmts: map[string]*sql.Stmt{}})
		}
	}
	select {
	case c := <-p.idle:
		return p.checkOpen(c)
	case <-p.done:
		return nil, errReadConnsClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a read connection: %w", ctx.Err())
	}
}

// checkOpen returns c, or closes it and returns an error if the set has
// been closed.
func (p *readConns) checkOpen(c *readConn) (*readConn, error) {
	if p.closed.Load() {
		c.close()
		return nil, errReadConnsClosed
	}
	return c, nil
}

// put gives c back after a query that returned err: to the set, or, if
// the connection is broken, to nobody (it is closed and a new one may be
// opened in its place).
func (p *readConns) put(c *readConn, err error) {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		c.close()
		p.opened.Add(-1)
		return
	}
	p.idle <- c // never blocks: at most cap(idle) connections exist
	// close drains after it sets closed; c was sent before this load, so
	// either close takes it or this does.
	if p.closed.Load() {
		p.drain()
	}
}

// drain closes the idle connections.
func (p *readConns) drain() {
	for {
		select {
		case c := <-p.idle:
			c.close()
		default:
			return
		}
	}
}

// close closes the idle connections and, as they are given back, the
// others.
func (p *readConns) close() {
	if p.closed.Swap(true) {
		return
	}
	close(p.done)
	p.drain()
}

// stmt returns c's prepared statement for query, preparing it the first
// time.
func (c *readConn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.stmts[query]; st != nil {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *readConn) close() {
	for _, st := range c.stmts {
		st.Close()
	}
	c.conn.Close()
}

// readRow is the Row of a QueryRow on a StdDB with read connections: its
// Scan takes a connection, runs the query on it and gives it back, so a
// row that is never scanned holds nothing.
type readRow struct {
	p     *readConns
	pool  func() Row // the same read through the handle's pool
	ctx   context.Context
	query string
	args  []any
}

func (r *readRow) Scan(dest ...any) error {
	c, err := r.p.get(r.ctx)
	if errors.Is(err, errUsePool) {
		return r.pool().Scan(dest...)
	}
	if err != nil {
		return err
	}
	st, err := c.stmt(r.ctx, r.query)
	if err == nil {
		err = st.QueryRowContext(r.ctx, r.args...).Scan(dest...)
	}
	r.p.put(c, err)
	return err
}
