// Command celbench times cel-go, with the Kubernetes CEL libraries the API
// server uses, on bench/cel/workload.json: the same expressions and
// variables as tenantc's bench/cel/cel_bench.c, the same output lines
// (NAME, nanoseconds per evaluation, the result as JSON).
//
//	celbench WORKLOAD [ITERATIONS [apiserver|optimize]]
//
// apiserver (the default) makes each program as the API server makes a CRD
// rule's (k8s.io/apiextensions-apiserver pkg/apiserver/schema/cel
// compilation.go: the per-call cost limit with cost tracking, interrupt
// checks every 100 steps); optimize adds cel.OptOptimize instead, cel-go's
// fastest form (constant regular expressions compiled once, ...), which the
// API server does not use.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"k8s.io/apiserver/pkg/cel/library"
)

type workload struct {
	Expressions []struct {
		Name string `json:"name"`
		Expr string `json:"expr"`
	} `json:"expressions"`
	Variables map[string]any `json:"variables"`
}

// ints stay ints, as they do in the API server's unstructured objects
func ints(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = ints(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = ints(x[k])
		}
		return x
	}
	return v
}

func show(v ref.Val) string {
	switch x := v.(type) {
	case types.Bool:
		return strconv.FormatBool(bool(x))
	case types.Int:
		return strconv.FormatInt(int64(x), 10)
	case types.String:
		b, _ := json.Marshal(string(x))
		return string(b)
	case *types.Err:
		return "error: " + x.Error()
	}
	return fmt.Sprintf("%v", v.Value())
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: celbench WORKLOAD [ITERATIONS]")
		os.Exit(2)
	}
	iters := 20000
	if len(os.Args) > 2 {
		iters, _ = strconv.Atoi(os.Args[2])
	}
	mode := "apiserver"
	if len(os.Args) > 3 {
		mode = os.Args[3]
	}
	var popts []cel.ProgramOption
	if mode == "optimize" {
		popts = []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	} else {
		popts = []cel.ProgramOption{cel.CostLimit(1000000), cel.CostTracking(nil),
			cel.InterruptCheckFrequency(100)}
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var w workload
	if err := json.Unmarshal(data, &w); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	opts := []cel.EnvOption{
		library.Lists(), library.Regex(), library.URLs(), library.IP(), library.CIDR(),
		library.Quantity(), library.Format(), cel.OptionalTypes(),
	}
	act := map[string]any{}
	for k, v := range w.Variables {
		opts = append(opts, cel.Variable(k, cel.DynType))
		act[k] = ints(v)
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	vars, err := cel.NewActivation(act)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, x := range w.Expressions {
		ast, iss := env.Compile(x.Expr)
		if iss.Err() != nil {
			fmt.Fprintln(os.Stderr, x.Name+": "+iss.Err().Error())
			os.Exit(2)
		}
		prg, err := env.Program(ast, popts...)
		if err != nil {
			fmt.Fprintln(os.Stderr, x.Name+": "+err.Error())
			os.Exit(2)
		}
		var out ref.Val
		best := time.Duration(0)
		for run := 0; run < 3; run++ {
			t0 := cpuTime()
			for i := 0; i < iters; i++ {
				out, _, _ = prg.Eval(vars)
			}
			t := cpuTime() - t0
			if run == 0 || t < best {
				best = t
			}
		}
		fmt.Printf("%s\t%.0f\t%s\n", x.Name, float64(best.Nanoseconds())/float64(iters), show(out))
	}
}
