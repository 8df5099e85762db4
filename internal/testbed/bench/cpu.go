package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the CPU time used so far by each process of a group (by
// pid), and the machine's busy and total time (/proc/stat), to measure
// what a stretch of work cost.
type cpuSample struct {
	groups               map[string]map[int]time.Duration
	machineBusy, machine time.Duration
}

// The groups of processes whose CPU a sample counts.
const (
	cpuTemporal = "Temporal"
	cpuWorkers  = "workers"
	cpuAPIs     = "APIs"
	cpuPostgres = "PostgreSQL"
	cpuBench    = "bench"
)

// userHZ is the unit of /proc's CPU times on Linux.
const userHZ = 100

// cpuNow samples the cluster's processes, this one (which runs the floors'
// workflows), and PostgreSQL's backends connected to the cluster's
// databases other than this process's own.
func (e *env) cpuNow(ctx context.Context) (cpuSample, error) {
	s := cpuSample{groups: map[string]map[int]time.Duration{}}
	add := func(group string, pid int) {
		if s.groups[group] == nil {
			s.groups[group] = map[int]time.Duration{}
		}
		if d, err := processCPU(pid); err == nil { // a backend may have gone meanwhile
			s.groups[group][pid] = d
		}
	}
	add(cpuTemporal, e.cl.Temporal.Pid())
	for _, w := range e.cl.Workers {
		add(cpuWorkers, w.Pid())
	}
	for _, a := range e.cl.APIs {
		add(cpuAPIs, a.Pid())
	}
	add(cpuBench, os.Getpid())
	rows, err := e.pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = ANY($1) AND application_name <> $2`, e.pgDatabases, benchApp)
	if err != nil {
		return s, err
	}
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return s, err
		}
		pids = append(pids, pid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	for _, pid := range pids {
		add(cpuPostgres, pid)
	}
	s.machineBusy, s.machine, err = machineCPU()
	return s, err
}

// cpuUsed is what each group used between two samples; a process that
// appeared meanwhile counts from its start, one that went is not counted.
type cpuUsed map[string]time.Duration

func (s cpuSample) since(before cpuSample) cpuUsed {
	u := cpuUsed{}
	for g, pids := range s.groups {
		for pid, d := range pids {
			u[g] += d - before.groups[g][pid]
		}
	}
	u["machine"] = s.machineBusy - before.machineBusy
	return u
}

// of is the sum of the groups.
func (u cpuUsed) of(groups ...string) time.Duration {
	var sum time.Duration
	for _, g := range groups {
		sum += u[g]
	}
	return sum
}

// processCPU is a process's user and system time, from /proc/<pid>/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in brackets, may hold spaces: count from after it.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too short", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %v %v", pid, err1, err2)
	}
	return ticks(utime + stime), nil
}

// machineCPU is the time all cores were busy (not idle or waiting for the
// disk) and their total, from /proc/stat.
func machineCPU() (busy, total time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var all, idle int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if i >= 8 { // guest time is counted in user time already
			break
		}
		all += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return ticks(all - idle), ticks(all), nil
}

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }
