package root_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// httpCmds let scripts drive a server started in the background (serve):
//
//	freeport NAME             set $NAME to a free loopback port
//	waithttp URL              wait up to 20s until GET URL answers 200
//	httpget URL               GET; stdout is the status, then the body
//	httppost URL TYPE FILE    POST FILE with Content-Type TYPE; same output
var httpCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: freeport NAME")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port := ln.Addr().(*net.TCPAddr).Port
		ts.Check(ln.Close())
		ts.Setenv(args[0], strconv.Itoa(port))
	},
	"waithttp": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: waithttp URL")
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(args[0])
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
			}
			if time.Now().After(deadline) {
				ts.Fatalf("%s did not answer 200 within 20s (last error: %v)", args[0], err)
			}
			time.Sleep(25 * time.Millisecond)
		}
	},
	"httpget": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: httpget URL")
		}
		resp, err := http.Get(args[0])
		httpResult(ts, neg, resp, err)
	},
	"httppost": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 3 {
			ts.Fatalf("usage: httppost URL TYPE FILE")
		}
		body, err := os.ReadFile(ts.MkAbs(args[2]))
		ts.Check(err)
		resp, err := http.Post(args[0], args[1], strings.NewReader(string(body)))
		httpResult(ts, neg, resp, err)
	},
}

func httpResult(ts *testscript.TestScript, neg bool, resp *http.Response, err error) {
	if err != nil {
		if !neg {
			ts.Fatalf("%v", err)
		}
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%d\n%s\n", resp.StatusCode, body)
	if neg {
		ts.Fatalf("unsupported: ! httpget/httppost")
	}
}
