// Command report writes BENCHMARKS.md from what bench/run.sh collected:
// the raw output of BenchmarkSession (several runs, -count), benchstat's
// summary of it, the counts TestWrites wrote as JSON, its verbose log, and
// CPU profiles of authkit's side.
//
// It computes, per backend and form, each library's median ns/op and its
// ratio to authkit's (peer ns/op ÷ authkit ns/op: above 1, authkit is
// faster), checks the goals of issue 6 against them, and attaches the
// profile of authkit's side to each goal it finds missed.
//
// Usage (run.sh passes every flag):
//
//	go run ./cmd/report -bench bench.txt -benchstat benchstat.txt \
//		-writes writes.json -writes-log writes.log -profiles DIR \
//		-cpu "AMD EPYC" -cores 2 -go "go1.26.8 linux/amd64" ... > BENCHMARKS.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/authkit-dev/authkit/bench/internal/results"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("report: ")
	var (
		in   inputs
		meta metadata
		out  = flag.String("o", "", "write the report to this file instead of standard output")
	)
	flag.StringVar(&in.bench, "bench", "", "raw output of go test -bench (required)")
	flag.StringVar(&in.benchstat, "benchstat", "", "benchstat's output on it")
	flag.StringVar(&in.writes, "writes", "", "the JSON TestWrites wrote (-writes.json)")
	flag.StringVar(&in.writesLog, "writes-log", "", "the go test -v log of TestWrites, for its skip reasons")
	flag.StringVar(&in.profiles, "profiles", "", "directory of pprof -top outputs named cpu-BACKEND.txt")
	flag.StringVar(&in.paired, "paired", "", "the JSON TestPaired wrote (-paired.json)")
	flag.StringVar(&meta.CPU, "cpu", "", "CPU model")
	flag.StringVar(&meta.Cores, "cores", "", "number of cores")
	flag.StringVar(&meta.Go, "go", "", "go version")
	flag.StringVar(&meta.Date, "date", "", "date of the run")
	flag.StringVar(&meta.Commit, "commit", "", "commit of the code measured")
	flag.StringVar(&meta.Load, "load", "", "load average when the run started")
	flag.StringVar(&meta.Count, "count", "", "-count of the benchmark run")
	flag.StringVar(&meta.Benchtime, "benchtime", "", "-benchtime of the benchmark run")
	flag.StringVar(&meta.Services, "services", "", "the PostgreSQL and Redis servers used")
	flag.Parse()
	if in.bench == "" {
		log.Fatal("-bench is required")
	}
	rep, err := load(in)
	if err != nil {
		log.Fatal(err)
	}
	rep.meta = meta
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	rep.write(bw)
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
}

type inputs struct {
	bench, benchstat, writes, writesLog, profiles, paired string
}

type metadata struct {
	CPU, Cores, Go, Date, Commit, Load, Count, Benchtime, Services string
}

// Backends, libraries and forms, in the order the report shows them.
var (
	backendOrder = []string{"memory", "sqlite", "postgres", "redis"}
	libOrder     = []string{"authkit", "scs-idle", "scs", "gorilla-cookie", "gorilla-cookie-save", "gorilla-fs", "gorilla-fs-save", "baseline", "floor", "floor-min"}
	formOrder    = []string{"serial", "parallel"}
)

// libDescriptions say what each library name stands for.
var libDescriptions = map[string]string{
	"authkit":             "`authrequest.Middleware` + `FromContext(ctx).Session()`, `auth.Config{}` (the defaults: active a day, then idle two weeks; renewal in place)",
	"scs-idle":            "scs v2 `LoadAndSave` + `GetString`, `IdleTimeout` 14 days (`Lifetime` 30 days): the session slides, so every request commits it",
	"scs":                 "scs v2 `LoadAndSave` + `GetString`, no idle timeout (default `Lifetime` 24 h): no write, and no sliding: the session ends 24 h after sign-in, used or not",
	"gorilla-cookie":      "gorilla/sessions `CookieStore` (HMAC-SHA256 + AES-256), `Get` only: no write, and no sliding: the cookie ends `MaxAge` (30 days) after it was last saved",
	"gorilla-cookie-save": "`CookieStore`, `Get` then `Save` on every request, gorilla's only way to slide the expiry: the cookie is re-encrypted and re-sent each time",
	"gorilla-fs":          "gorilla/sessions `FilesystemStore` in a temporary directory, `Get` only: an encrypted ID in the cookie, the encrypted values in a file",
	"gorilla-fs-save":     "`FilesystemStore`, `Get` then `Save` on every request: a file written each time",
	"baseline":            "no library: `r.Cookie`, SHA-256 of the token, one map lookup; the floor in memory",
	"floor":               "no library, the backend's floor: `r.Cookie`, SHA-256 of the token, one primary-key read with the driver authkit's store uses (SQLite: modernc.org/sqlite through database/sql, a prepared SELECT; PostgreSQL: one pgxpool QueryRow; Redis: one HGETALL with go-redis) of a row shaped like authkit's session (user ID, five times, user agent, client IP, attributes: what an `auth.Session` carries), and the expiry compared with the clock",
	"floor-min":           "as floor, but the row holds only a user ID and an expiry: the least any session library can read",
}

// storeDescriptions say what each library runs on per backend.
var storeDescriptions = map[string]string{
	"memory":   "authkit `auth/memstore`; scs `memstore`; gorilla as above",
	"sqlite":   "authkit `sqlitestore.Open` (modernc.org/sqlite, pure Go) vs scs `sqlite3store` (mattn/go-sqlite3, cgo); a file each in a temporary directory, both in WAL mode with synchronous=NORMAL and a busy timeout",
	"postgres": "authkit `pgstore.Open` (pgxpool) in a schema of its own vs scs `pgxstore` (pgxpool) on a `sessions` table in a schema of its own; both dropped afterwards",
	"redis":    "authkit `redisstore` (one HGETALL of the session per read) vs scs `goredisstore` (one GET); each under a key prefix of its own, deleted afterwards",
}

// A goal is one of issue 6's targets: authkit at least min times faster
// than the peer on the backend (peer ns/op ÷ authkit ns/op ≥ min), in both
// forms.
type goal struct {
	backend, peer string
	min           float64
}

// goals are issue 6's targets: in memory, several times faster than scs
// and gorilla's cookie store; on every backend outside the process, no
// slower than scs with or without an idle timeout.
var goals = append([]goal{
	{"memory", "scs-idle", 3},
	{"memory", "scs", 3},
	{"memory", "gorilla-cookie", 5},
}, noSlowerThanSCS("sqlite", "postgres", "redis")...)

// noSlowerThanSCS returns the goals "no slower than scs" on each backend.
func noSlowerThanSCS(backends ...string) []goal {
	var gs []goal
	for _, be := range backends {
		gs = append(gs, goal{be, "scs-idle", 1}, goal{be, "scs", 1})
	}
	return gs
}

// fixHints say, per backend, where authkit's time goes and what would cut
// it, for a goal found missed. They come from reading the profiles and the
// code; keep them in step with both.
var fixHints = map[string]string{
	"memory": "Most of the time is the SHA-256 of the token, the cookie scan and the two allocations " +
		"(the session ID string and the Session); the store read is a map lookup under a read lock.",
	"sqlite": "Nearly all the time is the driver: modernc.org/sqlite runs SQLite translated to Go, and " +
		"database/sql's Row.Scan with modernc's per-column conversion is a third of a request, for the floor as for authkit. " +
		"`Session()` reads the session row alone by primary key with a prepared statement, as the floor does, so the " +
		"difference (about 2 µs of 16) is authkit's own work around the same read: the middleware (cookie scan, origin " +
		"check, the AuthRequest), converting five Unix-nanosecond columns to time.Time, and building the auth.Session. " +
		"What would cut it: fewer columns on the validation path (a read that leaves user agent, client IP and " +
		"attributes for UserSessions), which the SessionStore contract does not allow today.",
	"postgres": "The time is one round trip: pgx's extended protocol on a statement it has prepared and cached. " +
		"`Session()` reads the session row alone, as the floor does; scs's pgxstore makes the same single round trip " +
		"and pays for gob decoding on top, which is small beside the round trip.",
	"redis": "The time is one round trip: one HGETALL of the session hash (no script); scs sends one GET. " +
		"Both are one command; what differs is the reply's size (ten fields against one value) and decoding.",
}

// A key names one benchmark: backend, library and form.
type key struct{ backend, lib, form string }

// A stat is one benchmark's medians over the runs.
type stat struct {
	ns, bytes, allocs float64
	nsRuns            []float64 // ns/op of each run, for the U-test
}

type report struct {
	paired    []results.Paired
	meta      metadata
	stats     map[key]stat
	skips     map[string]string // backend → reason
	benchstat string
	writes    []results.Writes
	profiles  map[string]string // backend → pprof -top
}

func load(in inputs) (*report, error) {
	rep := &report{skips: map[string]string{}, profiles: map[string]string{}}
	raw, err := os.ReadFile(in.bench)
	if err != nil {
		return nil, err
	}
	samples := parseBench(string(raw))
	if len(samples) == 0 {
		return nil, fmt.Errorf("%s holds no BenchmarkSession results", in.bench)
	}
	rep.stats = medians(samples)
	parseSkips(string(raw), rep.skips)
	if in.benchstat != "" {
		b, err := os.ReadFile(in.benchstat)
		if err != nil {
			return nil, err
		}
		rep.benchstat = string(b)
	}
	if in.writes != "" {
		if err := results.Read(in.writes, &rep.writes); err != nil {
			return nil, err
		}
	}
	if in.paired != "" {
		if err := results.Read(in.paired, &rep.paired); err != nil {
			return nil, err
		}
	}
	if in.writesLog != "" {
		b, err := os.ReadFile(in.writesLog)
		if err != nil {
			return nil, err
		}
		parseSkips(string(b), rep.skips)
	}
	if in.profiles != "" {
		for _, be := range backendOrder {
			b, err := os.ReadFile(filepath.Join(in.profiles, "cpu-"+be+".txt"))
			if err == nil {
				rep.profiles[be] = string(b)
			}
		}
	}
	return rep, nil
}

// benchLine matches a result line of BenchmarkSession.
var benchLine = regexp.MustCompile(`^BenchmarkSession/backend=([^/\s]+)/lib=([^/\s]+)/form=([^/\s-]+)(?:-\d+)?\s+\d+\s+(.*)$`)

type sample struct {
	key
	ns, bytes, allocs float64
}

func parseBench(raw string) []sample {
	var out []sample
	for line := range strings.Lines(raw) {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		s := sample{key: key{m[1], m[2], m[3]}}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			}
		}
		out = append(out, s)
	}
	return out
}

// medians reduces the runs of each benchmark to their medians, the centre
// benchstat reports too.
func medians(samples []sample) map[key]stat {
	by := map[key][]sample{}
	for _, s := range samples {
		by[s.key] = append(by[s.key], s)
	}
	out := map[key]stat{}
	for k, ss := range by {
		pick := func(f func(sample) float64) float64 {
			v := make([]float64, len(ss))
			for i, s := range ss {
				v[i] = f(s)
			}
			return median(v)
		}
		st := stat{
			ns:     pick(func(s sample) float64 { return s.ns }),
			bytes:  pick(func(s sample) float64 { return s.bytes }),
			allocs: pick(func(s sample) float64 { return s.allocs }),
		}
		for _, s := range ss {
			st.nsRuns = append(st.nsRuns, s.ns)
		}
		out[k] = st
	}
	return out
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// uTestP returns the two-sided p-value of the Mann-Whitney U-test of a
// against b, exact (the test benchstat uses): the chance that samples of
// two equal distributions differ as much as these do. Ties count half.
func uTestP(a, b []float64) float64 {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return 1
	}
	u := 0.0
	for _, x := range a {
		for _, y := range b {
			switch {
			case x > y:
				u++
			case x == y:
				u += 0.5
			}
		}
	}
	// ways[i][j][k]: orderings of i values of a and j of b with U = k.
	ways := make([][][]float64, n+1)
	for i := range ways {
		ways[i] = make([][]float64, m+1)
		for j := range ways[i] {
			ways[i][j] = make([]float64, i*j+1)
			switch {
			case i == 0 || j == 0:
				ways[i][j][0] = 1
			default:
				for k := range ways[i][j] {
					// The largest value is a's (beating all j of b's) or b's.
					if k >= j {
						ways[i][j][k] += ways[i-1][j][k-j]
					}
					if k <= (i)*(j-1) {
						ways[i][j][k] += ways[i][j-1][k]
					}
				}
			}
		}
	}
	var total, low, high float64
	for k, w := range ways[n][m] {
		total += w
		if float64(k) <= u {
			low += w
		}
		if float64(k) >= u {
			high += w
		}
	}
	return min(1, 2*min(low, high)/total)
}

// Lines of go test -v output around a skipped backend: the (sub)test or
// benchmark starts, the skip reason is logged, then the SKIP line.
var (
	runLine  = regexp.MustCompile(`^(?:=== RUN\s+)?(?:BenchmarkSession|TestWrites)/backend=([^/\s]+)\s*$`)
	logLine  = regexp.MustCompile(`^\s+\S+\.go:\d+: (.*)$`)
	skipLine = regexp.MustCompile(`--- SKIP: (?:BenchmarkSession|TestWrites)/backend=([^/\s]+)`)
)

// parseSkips finds the backends go test skipped and the reasons it logged
// for them, in the output of -v runs.
func parseSkips(raw string, into map[string]string) {
	lines := strings.Split(raw, "\n")
	current, reason := "", ""
	for i, line := range lines {
		if m := runLine.FindStringSubmatch(line); m != nil {
			current, reason = m[1], ""
			continue
		}
		if m := logLine.FindStringSubmatch(line); m != nil && reason == "" {
			reason = m[1]
			continue
		}
		m := skipLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		why := ""
		if m[1] == current {
			why = reason
		}
		if why == "" && i+1 < len(lines) {
			if n := logLine.FindStringSubmatch(lines[i+1]); n != nil {
				why = n[1]
			}
		}
		if _, seen := into[m[1]]; !seen {
			into[m[1]] = or(why, "skipped")
		}
	}
}

// ratio returns peer ns/op ÷ authkit ns/op for the backend and form.
func (r *report) ratio(backend, peer, form string) (float64, bool) {
	a, ok1 := r.stats[key{backend, "authkit", form}]
	p, ok2 := r.stats[key{backend, peer, form}]
	if !ok1 || !ok2 || a.ns == 0 {
		return 0, false
	}
	return p.ns / a.ns, true
}

func (r *report) write(w io.Writer) {
	p := printer(w)
	m := r.meta
	p("# Benchmarks: authkit, scs and gorilla/sessions\n\n")
	p("Written by `bench/run.sh` (do not edit by hand: run it again). One machine, one run:\n\n")
	p("| | |\n|---|---|\n")
	p("| machine | %s, %s cores |\n", or(m.CPU, "unknown CPU"), or(m.Cores, "?"))
	p("| Go | %s |\n", or(m.Go, "?"))
	p("| date | %s |\n", or(m.Date, "?"))
	if m.Commit != "" {
		p("| commit | %s |\n", m.Commit)
	}
	if m.Load != "" {
		p("| load average at start | %s |\n", m.Load)
	}
	p("| runs | %s interleaved rounds of every benchmark, `-benchtime %s`; the figures below are medians over the rounds |\n", or(m.Count, "?"), or(m.Benchtime, "?"))
	if m.Services != "" {
		p("| services | %s |\n", m.Services)
	}
	p("\n")
	if len(r.skips) > 0 {
		p("**Skipped:**\n\n")
		for _, be := range backendOrder {
			if reason, ok := r.skips[be]; ok {
				p("- %s: %s\n", be, reason)
			}
		}
		p("\n")
	}

	p("To run it again: `bench/run.sh` (`COUNT=6 BENCHTIME=1s` by default; the raw output lands in `bench/results/`). " +
		"For a quick look, `cd bench && go test -run '^$' -bench . -benchmem`; for the counts alone, " +
		"`go test -run TestWrites -v`. PostgreSQL and Redis are found through `AUTHKIT_POSTGRES_URL` and " +
		"`AUTHKIT_REDIS_URL`, as authkit's own store tests find them.\n\n")
	p("## What is measured\n\n")
	p("`BenchmarkSession` serves one `GET` request carrying a valid, active session through each library; " +
		"the handler reads the session and writes the user ID. " +
		"Every library gets the same request (a `Cookie` header with the session cookie between two others), built once, " +
		"and the same cheap `ResponseWriter` (a reusable header map, emptied on each request), so the figures measure the " +
		"libraries, not `httptest`. gorilla/sessions alone gets a shallow copy of the request on each request " +
		"(`r.WithContext`, one allocation), because it stores its registry in the request it is given. " +
		"*serial* runs on one goroutine, *parallel* with `b.RunParallel` on every core.\n\n")
	p("| library | what runs |\n|---|---|\n")
	for _, lib := range libOrder {
		p("| %s | %s |\n", lib, libDescriptions[lib])
	}
	p("\n| backend | stores |\n|---|---|\n")
	for _, be := range backendOrder {
		p("| %s | %s |\n", be, storeDescriptions[be])
	}
	p("\n")

	r.writeGoals(w)
	section(w, "Paired", len(r.paired) > 0, r.writePaired)
	r.writeTimes(w)
	section(w, "Store reads and writes per 1,000 requests", len(r.writes) > 0, r.writeWrites)

	if r.benchstat != "" {
		p("## benchstat\n\n")
		p("The same runs as benchstat summarises them: per backend, a column per library, each compared with authkit's " +
			"(median ± 95%% confidence interval; *vs base* is the change from authkit's figure, with its p-value).\n\n")
		for part := range strings.SplitSeq(r.benchstat, "### ") {
			name, body, ok := strings.Cut(part, "\n")
			if !ok || strings.TrimSpace(body) == "" {
				continue
			}
			p("### benchstat: %s\n\n```\n%s\n```\n\n", strings.TrimSpace(name), strings.Trim(body, "\n"))
		}
	}
}

func (r *report) writeGoals(w io.Writer) {
	p := printer(w)
	p("## Goals\n\n")
	p("A ratio is the peer's ns/op ÷ authkit's median: 4.0× means authkit takes a quarter of the peer's time. " +
		"p is the two-sided Mann-Whitney U-test of the runs (as benchstat computes it): below 0.05, the difference " +
		"is unlikely to be noise. A \"no slower\" goal whose ratio is below 1.0 but not significantly so is " +
		"reported *within noise*: the runs can't tell the two apart; one met by the medians but not significantly says so, " +
		"and gets the same analysis as a missed goal below.\n\n")
	p("| goal | serial | parallel | met? |\n|---|---|---|---|\n")
	missed := map[string]bool{}
	for _, g := range goals {
		cells := make([]string, len(formOrder))
		met, measured, noise := true, true, true
		var unsure []string // forms where a met "no slower" goal is not significant
		for i, form := range formOrder {
			x, ok := r.ratio(g.backend, g.peer, form)
			if !ok {
				cells[i], measured = "not measured", false
				continue
			}
			pv := uTestP(r.stats[key{g.backend, "authkit", form}].nsRuns, r.stats[key{g.backend, g.peer, form}].nsRuns)
			cells[i] = fmt.Sprintf("%.2f× (p=%.3f)", x, pv)
			if x < g.min {
				met = false
				if g.min != 1 || pv < 0.05 {
					noise = false
				}
			} else if g.min == 1 && pv >= 0.05 {
				unsure = append(unsure, form)
			}
		}
		verdict := "**yes**"
		switch {
		case !measured:
			verdict = "not measured"
			if _, ok := r.skips[g.backend]; ok {
				verdict += " (skipped: see above)"
			}
		case !met && noise:
			verdict = "**within noise**"
			missed[g.backend] = true
		case !met:
			verdict = "**no**"
			missed[g.backend] = true
		case len(unsure) > 0:
			verdict = "**yes** by the medians; " + strings.Join(unsure, " and ") + " within noise"
			missed[g.backend] = true
		}
		what := fmt.Sprintf("%s: authkit ≥ %g× faster than %s", g.backend, g.min, g.peer)
		if g.min == 1 {
			what = fmt.Sprintf("%s: authkit no slower than %s", g.backend, g.peer)
		}
		p("| %s | %s | %s | %s |\n", what, cells[0], cells[1], verdict)
	}
	// Zero writes for active sessions, one per renewal: from TestWrites.
	if len(r.writes) > 0 {
		var active, renewal []string
		okActive, okRenewal := true, true
		for _, row := range r.writes {
			if row.Lib != "authkit" {
				continue
			}
			active = append(active, fmt.Sprintf("%s %d", row.Backend, row.Active.Writes))
			renewal = append(renewal, fmt.Sprintf("%s %d/%d", row.Backend, row.Renewal.Writes, row.Concurrent.Writes))
			okActive = okActive && row.Active.Writes == 0
			okRenewal = okRenewal && row.Renewal.Writes == 1 && row.Concurrent.Writes == 1
		}
		p("| zero store writes for active sessions (authkit, per 1,000 requests) | %s | | %s |\n", strings.Join(active, ", "), yesNo(okActive))
		p("| exactly one write per renewal, serial/concurrent (authkit) | %s | | %s |\n", strings.Join(renewal, ", "), yesNo(okRenewal))
	} else {
		p("| zero store writes for active sessions | not measured | | not measured |\n")
	}
	p("\n")
	for _, be := range backendOrder {
		if !missed[be] {
			continue
		}
		p("### Missed or within noise on %s: where authkit's time goes\n\n", be)
		if prof, ok := r.profiles[be]; ok {
			p("CPU profile of authkit's side (serial), `go tool pprof -top`:\n\n```\n%s```\n\n", trimProfile(prof, 14))
		}
		p("%s\n\n", fixHints[be])
	}
}

// trimProfile keeps the header line and the first n rows of pprof -top.
func trimProfile(prof string, n int) string {
	var b strings.Builder
	rows := 0
	inRows := false
	for line := range strings.Lines(prof) {
		if strings.HasPrefix(strings.TrimSpace(line), "flat") {
			inRows = true
			b.WriteString(line)
			continue
		}
		if !inRows {
			if strings.HasPrefix(line, "Showing nodes") || strings.HasPrefix(line, "Duration") {
				b.WriteString(line)
			}
			continue
		}
		if rows == n {
			break
		}
		b.WriteString(line)
		rows++
	}
	return b.String()
}

func (r *report) writeTimes(w io.Writer) {
	p := printer(w)
	p("## Time per request\n\n")
	p("Medians over the runs. ×authkit is the library's ns/op ÷ authkit's in the same form. " +
		"B/op and allocs/op are the serial form's (the parallel form's are the same).\n\n")
	for _, be := range backendOrder {
		if _, ok := r.stats[key{be, "authkit", "serial"}]; !ok {
			p("### %s\n\nNot measured", be)
			if reason, ok := r.skips[be]; ok {
				p(": %s", reason)
			}
			p(".\n\n")
			continue
		}
		p("### %s\n\n", be)
		p("| library | serial ns/op | ×authkit | parallel ns/op | ×authkit | B/op | allocs/op |\n")
		p("|---|--:|--:|--:|--:|--:|--:|\n")
		for _, lib := range libOrder {
			s, ok := r.stats[key{be, lib, "serial"}]
			if !ok {
				continue
			}
			par := r.stats[key{be, lib, "parallel"}]
			rs, _ := r.ratio(be, lib, "serial")
			rp, _ := r.ratio(be, lib, "parallel")
			p("| %s | %s | %.2f× | %s | %.2f× | %s | %s |\n", lib, num(s.ns), rs, num(par.ns), rp, num(s.bytes), num(s.allocs))
		}
		p("\n")
	}
}

// printer returns a Printf to w.
func printer(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
}

// section writes a section of the report: its heading, then what body
// writes, or a line saying that nothing was measured for it.
func section(w io.Writer, heading string, measured bool, body func(io.Writer)) {
	fmt.Fprintf(w, "## %s\n\n", heading)
	if !measured {
		fmt.Fprint(w, "Not measured.\n\n")
		return
	}
	body(w)
}

func (r *report) writeWrites(w io.Writer) {
	p := printer(w)
	p("From `TestWrites`, which counts calls through a wrapper around each library's store " +
		"(authkit: `fakeauth.WrapStore`; scs: a counting `scs.CtxStore`; gorilla: a counting `sessions.Store`) " +
		"and fails if authkit's counts are not as claimed. Three scenarios, each on a freshly signed-in session:\n\n")
	p("- **active**: 1,000 requests on an active session.\n")
	p("- **renewal**: 1,000 requests; after the 500th the library's clock moves past the active period (25 h), " +
		"so the session turns idle once.\n")
	p("- **concurrent**: the clock moves first, then 8 clients send 1,000 requests at once on the idle session.\n\n")
	p("scs and gorilla read the system clock, so their clocks are not moved (marked †): their counts do not depend on the time.\n\n")
	p("| backend | library | active: reads | active: writes | renewal: writes | concurrent: reads | concurrent: writes |\n")
	p("|---|---|--:|--:|--:|--:|--:|\n")
	rows := slices.Clone(r.writes)
	slices.SortStableFunc(rows, func(a, b results.Writes) int {
		if c := slices.Index(backendOrder, a.Backend) - slices.Index(backendOrder, b.Backend); c != 0 {
			return c
		}
		return slices.Index(libOrder, a.Lib) - slices.Index(libOrder, b.Lib)
	})
	for _, row := range rows {
		lib := row.Lib
		if !row.ClockMoved {
			lib += " †"
		}
		if !row.ServerStore {
			p("| %s | %s | n/a (%s cookies decrypted) | n/a (cookie re-encrypted and re-sent on each save: %s saves) | n/a (%s saves) | n/a (%s cookies decrypted) | n/a (%s saves) |\n",
				row.Backend, lib, num(float64(row.Active.Reads)), num(float64(row.Active.Writes)), num(float64(row.Renewal.Writes)),
				num(float64(row.Concurrent.Reads)), num(float64(row.Concurrent.Writes)))
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", row.Backend, lib,
			num(float64(row.Active.Reads)), num(float64(row.Active.Writes)), num(float64(row.Renewal.Writes)),
			num(float64(row.Concurrent.Reads)), num(float64(row.Concurrent.Writes)))
	}
	p("\nIn the concurrent scenario, an authkit client that loses the renewal race reads the session again " +
		"(the lifetime rules in package auth's doc), so reads can exceed 1,000 while writes stay at one.\n\n")
}

func yesNo(ok bool) string {
	if ok {
		return "**yes**"
	}
	return "**no**"
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// num formats a figure with thousands separators, and one decimal below
// 100 (benchmark medians can be fractional).
func num(v float64) string {
	if v < 100 && v != float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// pairedGoals are issue 10's targets, measured paired: authkit's Session()
// at most maxFloor times the backend's floor, and scs (no idle timeout) at
// least minSCS times authkit.
const (
	maxFloor = 1.1
	minSCS   = 1.15
)

// pairedMedian returns the paired median of a library on a backend.
func (r *report) pairedMedian(backend, lib string) (float64, bool) {
	for _, row := range r.paired {
		if row.Backend == backend && row.Lib == lib && row.N > 0 {
			return row.Median, true
		}
	}
	return 0, false
}

func (r *report) writePaired(w io.Writer) {
	p := printer(w)
	p("From `TestPaired`: on each backend every library serves one request in turn, in an order shuffled anew for " +
		"each cycle, request after request, so that a round trip that swings from one moment to the next swings for " +
		"all of them alike. The figures are the medians and 90th percentiles of single requests (wall time, one goroutine); " +
		"a ratio divides medians.\n\n")
	p("| goal (paired) | ratio | met? |\n|---|--:|---|\n")
	var missed []string
	for _, be := range backendOrder {
		ak, ok := r.pairedMedian(be, "authkit")
		if !ok {
			continue
		}
		ok = true
		if fl, found := r.pairedMedian(be, "floor"); found {
			x := ak / fl
			ok = ok && x <= maxFloor
			p("| %s: authkit `Session()` within %.2f× of the floor | %.3f× | %s |\n", be, maxFloor, x, yesNo(x <= maxFloor))
		}
		if sc, found := r.pairedMedian(be, "scs"); found {
			x := sc / ak
			ok = ok && x >= minSCS
			p("| %s: scs at least %.2f× authkit's time | %.3f× | %s |\n", be, minSCS, x, yesNo(x >= minSCS))
		}
		if !ok {
			missed = append(missed, be)
		}
	}
	p("\n")
	for _, be := range missed {
		p("### Missed paired on %s: where authkit's time goes\n\n", be)
		if prof, ok := r.profiles[be]; ok {
			p("CPU profile of authkit's side (serial), `go tool pprof -top`:\n\n```\n%s```\n\n", trimProfile(prof, 14))
		}
		p("%s\n\n", fixHints[be])
	}
	p("\n| backend | library | requests | median ns | p90 ns | ×authkit |\n|---|---|--:|--:|--:|--:|\n")
	for _, be := range backendOrder {
		ak, _ := r.pairedMedian(be, "authkit")
		for _, lib := range libOrder {
			for _, row := range r.paired {
				if row.Backend != be || row.Lib != lib {
					continue
				}
				ratio := "–"
				if ak > 0 {
					ratio = fmt.Sprintf("%.2f×", row.Median/ak)
				}
				p("| %s | %s | %s | %s | %s | %s |\n", be, lib, num(float64(row.N)), num(row.Median), num(row.P90), ratio)
			}
		}
	}
	p("\n")
}
