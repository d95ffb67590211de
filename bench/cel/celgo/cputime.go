package main

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time of the process (user and system), as
// cel_bench.c measures its own.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
