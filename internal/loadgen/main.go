// Command loadgen measures clientassert serve from the outside: it starts
// the binary, drives it over loopback HTTP and reads the server process's
// CPU time and RSS from /proc. Requests per second per core are counted
// against the server's own CPU seconds, so the figure holds on a machine
// shared with other work.
//
//	go build -o /tmp/clientassert ./cmd/clientassert
//	go run ./internal/loadgen -bin /tmp/clientassert
package main

import (
	"bufio"
	"crypto"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
)

func main() {
	bin := flag.String("bin", "", "the clientassert binary to start (required)")
	n := flag.Int("n", 20000, "requests in each latency phase")
	distinct := flag.Int("distinct", 1_000_000, "requests with distinct jtis in the memory phase")
	conc := flag.Int("c", 8, "concurrent connections")
	root := flag.String("root", ".", "the module root (for testdata/keys)")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -bin is required")
		os.Exit(2)
	}
	if err := run(*bin, *root, *n, *distinct, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type server struct {
	cmd *exec.Cmd
	url string
}

func start(bin, root string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--client-id", fixtures.ClientID, "--jwks", filepath.Join(root, "testdata", "keys", "jwks.json"),
		"--addr", "127.0.0.1:0", "--log-format", "json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(stderr)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("no readiness line: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }() // the request log
	return &server{cmd: cmd, url: strings.TrimSpace(strings.TrimPrefix(line, "listening on ")) + "/v2/auth/token"}, nil
}

// cpu is the server's user+system CPU time.
func (s *server) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

func (s *server) rssKiB() int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			v, _ := strconv.Atoi(strings.Fields(line)[1])
			return v
		}
	}
	return 0
}

func form(tok string) string {
	return "grant_type=client_credentials&client_assertion_type=" + url.QueryEscape("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
		"&client_assertion=" + tok
}

type phase struct {
	name   string
	bodies func(i int) string
	want   int
}

type result struct {
	n              int
	wall, cpu      time.Duration
	p50, p99       time.Duration
	wrong, refused int64
}

func drive(s *server, client *http.Client, p phase, n, conc int, every int, onEvery func(done int)) result {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wrong, refused atomic.Int64
	cpu0, t0 := s.cpu(), time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body := p.bodies(i)
				t := time.Now()
				resp, err := client.Post(s.url, "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil {
					refused.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t)
				if resp.StatusCode != p.want {
					wrong.Add(1)
				}
				if every > 0 && (i+1)%every == 0 {
					mu.Lock()
					onEvery(i + 1)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r := result{n: n, wall: time.Since(t0), cpu: s.cpu() - cpu0, wrong: wrong.Load(), refused: refused.Load()}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.p50, r.p99 = lat[n/2], lat[n*99/100]
	return r
}

func report(name string, r result) {
	perCore := float64(r.n) / r.cpu.Seconds()
	fmt.Printf("%-28s %8d req  %7.0f req/s wall  %7.0f req/s per server CPU-second  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1fs  wrong status %d, errors %d\n",
		name, r.n, float64(r.n)/r.wall.Seconds(), perCore, ms(r.p50), ms(r.p99), r.cpu.Seconds(), r.wrong, r.refused)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func run(bin, root string, n, distinct, conc int) error {
	ks, err := fixtures.LoadOrCreateKeys(filepath.Join(root, "testdata", "keys"))
	if err != nil {
		return err
	}
	s, err := start(bin, root)
	if err != nil {
		return err
	}
	defer func() { _ = s.cmd.Process.Signal(os.Interrupt); _ = s.cmd.Wait() }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}

	now := time.Now()
	header := fixtures.Header("RS384", fixtures.KidRSA).JSON()
	sign := func(kid string, jti string) string {
		h := header
		if kid != fixtures.KidRSA {
			h = fixtures.Header("RS384", kid).JSON()
		}
		c := fixtures.Claims(now).Set("exp", now.Unix()+300).Set("jti", jti)
		return fixtures.Sign(h, c.JSON(), ks["rsa"].(crypto.Signer))
	}
	const pool = 256
	valid := make([]string, pool)
	for i := range valid {
		valid[i] = form(sign(fixtures.KidRSA, fmt.Sprintf("%032x", i)))
	}
	badKid := form(sign("rsa-2025-01", "00000000000000000000000000000001"))

	fmt.Printf("machine: %d cores (GOMAXPROCS %d), %d client connections; server: %s serve, profile redox, JSON log to a pipe\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), conc, bin)
	drive(s, client, phase{"warm-up", func(i int) string { return valid[i%pool] }, 200}, 2000, conc, 0, nil)
	report("valid RS384", drive(s, client, phase{"valid", func(i int) string { return valid[i%pool] }, 200}, n, conc, 0, nil))
	report("rejected: unknown kid", drive(s, client, phase{"kid", func(int) string { return badKid }, 400}, n, conc, 0, nil))

	// Distinct jtis: the payload changes per request while the signature is
	// kept, so each is rejected after a full RS384 verification.
	base := sign(fixtures.KidRSA, "x")
	sig := base[strings.LastIndexByte(base, '.'):]
	c := fixtures.Claims(now).Set("exp", now.Unix()+300)
	fmt.Printf("distinct jtis: RSS %d KiB before\n", s.rssKiB())
	r := drive(s, client, phase{"distinct", func(i int) string {
		payload := fixtures.B64(c.Set("jti", fmt.Sprintf("%032x", 1<<40+i)).JSON())
		return form(fixtures.B64(header) + "." + payload + sig)
	}, 400}, distinct, conc, distinct/10, func(done int) {
		fmt.Printf("  after %7d requests: server RSS %d KiB\n", done, s.rssKiB())
	})
	report("rejected: distinct jtis, bad signature", r)
	fmt.Printf("distinct jtis: RSS %d KiB after %d requests\n", s.rssKiB(), distinct)
	return nil
}
